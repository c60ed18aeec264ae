import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../../../tools/testing/shared';
import { loadCheckpoint, saveCheckpoint } from '../../checkpoint';
import { nodeFs } from '../../checkpoint-fs';
import { writeRandomCheckpoint } from '../../random-checkpoint';
import { checkpointFamily, parseEncoderConfig } from '../../registry';
import { sameBits } from '../../testing/same-bits';
import { asDebertaV2Config, debertaV2CheckpointFamily, makeDebertaV2Config, parseDebertaV2Config, relativeEmbeddingRows, relativePosition, relativeGeometry } from '.';

const fixture = (f: string) => sharedPath('fixtures', 'tiny-deberta-v3', f);
const sizes = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12 };

describe('DeBERTa-v2 config', () => {
  it('reads the tiny-deberta-v3 config with every disentangled-attention field, keeping the rest for saving', () => {
    const c = parseEncoderConfig(readFileSync(fixture('config.json'), 'utf8'), 'tiny/config.json');
    expect(c).toMatchObject({
      model_type: 'deberta-v2', vocab_size: 408, hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 128,
      type_vocab_size: 0, layer_norm_eps: 1e-7, relative_attention: true, position_buckets: 32, max_relative_positions: -1,
      norm_rel_ebd: 'layer_norm', share_att_key: true, pos_att_type: ['p2c', 'c2p'], position_biased_input: false,
    });
    expect(c.extra.pad_token_id).toBe(0);
    expect(checkpointFamily('deberta-v2')).toBe(debertaV2CheckpointFamily);
    const json = debertaV2CheckpointFamily.configToJson(asDebertaV2Config(c, 'test'));
    expect(json).toMatchObject({ model_type: 'deberta-v2', pad_token_id: 0, architectures: ['DebertaV2ForMaskedLM'] });
    expect(parseDebertaV2Config(json)).toEqual(c);
    expect(relativeGeometry(parseDebertaV2Config(json))).toEqual({ span: 32, buckets: 32, maxRelative: 512 });
  });

  it('fills HF defaults when fields are absent, DeBERTa-v3 shape for new configs, and accepts "p2c|c2p" strings', () => {
    const hf = parseDebertaV2Config({ ...sizes, model_type: 'deberta-v2' });
    expect(hf).toMatchObject({ relative_attention: false, position_biased_input: true, type_vocab_size: 0, position_buckets: -1, share_att_key: false, norm_rel_ebd: 'none', pos_att_type: [] });
    const v3 = makeDebertaV2Config(sizes);
    expect(v3).toMatchObject({ relative_attention: true, position_biased_input: false, position_buckets: 256, share_att_key: true, norm_rel_ebd: 'layer_norm', pos_att_type: ['p2c', 'c2p'], layer_norm_eps: 1e-7 });
    expect(makeDebertaV2Config({ ...sizes, position_buckets: 8, pos_att_type: ['c2p'] })).toMatchObject({ position_buckets: 8, pos_att_type: ['c2p'] });
    expect(parseDebertaV2Config({ ...sizes, model_type: 'deberta-v2', pos_att_type: 'P2C|c2p' }).pos_att_type).toEqual(['p2c', 'c2p']);
  });

  it('refuses unsupported variants and bad fields, naming the file and field', () => {
    const base = { ...sizes, model_type: 'deberta-v2' };
    expect(() => parseDebertaV2Config({ ...base, pos_att_type: ['p2p'] }, 'x/config.json')).toThrow(/^x\/config\.json: field "pos_att_type": "p2p" is not supported/);
    expect(() => parseDebertaV2Config({ ...base, conv_kernel_size: 3 }, 'x/config.json')).toThrow(/field "conv_kernel_size" is 3; the convolution layer/);
    expect(() => parseDebertaV2Config({ ...base, embedding_size: 4 }, 'x/config.json')).toThrow(/field "embedding_size" 4 differs from hidden_size 8/);
    expect(() => parseDebertaV2Config({ ...base, norm_rel_ebd: 'batch_norm' })).toThrow(/field "norm_rel_ebd": "batch_norm" is not supported/);
    expect(() => parseDebertaV2Config({ ...base, hidden_act: 'gelu_new' })).toThrow(/hidden_act "gelu_new" is not supported/);
    expect(() => parseDebertaV2Config({ ...base, share_att_key: 'yes' })).toThrow(/field "share_att_key" must be true or false, got "yes"/);
    expect(() => parseDebertaV2Config({ ...base, hidden_size: 9 })).toThrow(/hidden_size 9 is not a multiple of num_attention_heads 2/);
    expect(() => parseDebertaV2Config({ ...base, model_type: 'deberta' })).toThrow(/model_type "deberta" is not read by the DeBERTa-v2 family/);
  });
});

describe('DeBERTa-v2 relative positions', () => {
  it('equal HF build_relative_position of the fixture (42 x 42, 32 buckets, range 512)', () => {
    const expected = (JSON.parse(readFileSync(fixture('expected_hidden_states.json'), 'utf8')) as { relative_position_buckets: number[][] }).relative_position_buckets;
    const config = parseDebertaV2Config(readFileSync(fixture('config.json'), 'utf8'));
    expect(expected.map((row, q) => row.map((_, k) => relativePosition(q, k, config)))).toEqual(expected);
    const rows = relativeEmbeddingRows(config, 42);
    expect(rows[0 * 42 + 41]).toBe(-21 + 32);
    expect(rows[41 * 42 + 0]).toBe(21 + 32);
  });

  it('are plain offsets clamped to the table without buckets, and odd-symmetric with them', () => {
    const plain = { max_relative_positions: 4, position_buckets: -1, max_position_embeddings: 512 };
    expect([-6, -4, -1, 0, 3, 4, 9].map((d) => relativePosition(d, 0, plain))).toEqual([-6, -4, -1, 0, 3, 4, 9]);
    const rows = relativeEmbeddingRows(plain, 10);
    expect([rows[0 * 10 + 9], rows[9 * 10 + 0], rows[5 * 10 + 5]]).toEqual([0, 7, 4]);
    const bucketed = { max_relative_positions: -1, position_buckets: 256, max_position_embeddings: 512 };
    for (const d of [1, 127, 128, 129, 300, 511, 2000]) expect(relativePosition(0, d, bucketed)).toBe(-relativePosition(d, 0, bucketed));
    expect(relativePosition(511, 0, bucketed)).toBeLessThanOrEqual(256);
  });
});

describe('DeBERTa-v2 checkpoints', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'deberta-ckpt-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['model.safetensors', 'pytorch_model.bin'])('loads the fixture from %s: every paramSpec present with its shape, heads ignored', async (file) => {
    const fs = nodeFs;
    // A view of the fixture directory with only the one weights file, so that both formats are read.
    const hidden = file === 'model.safetensors' ? 'pytorch_model.bin' : 'model.safetensors';
    const only = { ...fs, exists: async (p: string) => path.basename(p) !== hidden && (await fs.exists(p)) };
    const ckpt = await loadCheckpoint({ dir: path.dirname(fixture('config.json')), fs: only });
    expect(ckpt.weightsFiles.map((f) => path.basename(f))).toEqual([file]);
    const specs = debertaV2CheckpointFamily.paramSpecs(asDebertaV2Config(ckpt.config, 'test'));
    expect([...ckpt.encoderTensors.keys()].sort()).toEqual(specs.map((s) => s.name).sort());
    for (const s of specs) expect(ckpt.encoderTensors.get(s.name)!.shape).toEqual(s.shape);
    expect(ckpt.encoderTensors.get('encoder.rel_embeddings.weight')!.shape).toEqual([64, 64]);
    expect(ckpt.extraTensors.size).toBe(0);
    expect(ckpt.ignored).toEqual(file === 'pytorch_model.bin' ? ['lm_predictions.lm_head.bias'] : []);
  });

  it('writes random checkpoints of the family and saves / loads them bit-exactly under deberta.*', async () => {
    const config = await writeRandomCheckpoint({ dir: path.join(dir, 'random'), config: makeDebertaV2Config({ ...sizes, position_buckets: 4 }), seed: 3 });
    expect(config).toMatchObject({ model_type: 'deberta-v2', position_buckets: 4, relative_attention: true });
    const a = await loadCheckpoint({ dir: path.join(dir, 'random') });
    const names = debertaV2CheckpointFamily.paramSpecs(asDebertaV2Config(a.config, 'test')).map((s) => s.name);
    expect([...a.encoderTensors.keys()].sort()).toEqual(names.sort());
    expect(a.encoderTensors.get('encoder.rel_embeddings.weight')!.shape).toEqual([8, 8]);
    expect(Array.from(a.encoderTensors.get('embeddings.word_embeddings.weight')!.data.slice(0, 8))).toEqual(Array(8).fill(0)); // pad row 0
    await saveCheckpoint({ dir: path.join(dir, 'copy'), config: a.config, encoderTensors: a.encoderTensors, prefix: true });
    const b = await loadCheckpoint({ dir: path.join(dir, 'copy') });
    expect(b.config).toEqual(a.config);
    for (const [k, t] of a.encoderTensors) expect(sameBits(b.encoderTensors.get(k)!.data, t.data)).toBe(true);
    const raw = JSON.parse(readFileSync(path.join(dir, 'copy', 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(raw).toMatchObject({ model_type: 'deberta-v2', architectures: ['DebertaV2Model'], pos_att_type: ['p2c', 'c2p'] });
  });

  it('lists optional parameters by config: absolute positions, token types, own position projections', () => {
    const names = (o: object) => debertaV2CheckpointFamily.paramSpecs(makeDebertaV2Config({ ...sizes, ...o })).map((s) => s.name);
    const v3 = names({});
    expect(v3).toHaveLength(3 + 2 * 16 + 3);
    expect(v3).not.toContain('embeddings.position_embeddings.weight');
    const all = names({ position_biased_input: true, type_vocab_size: 2, share_att_key: false, norm_rel_ebd: 'none' });
    expect(all).toEqual(expect.arrayContaining(['embeddings.position_embeddings.weight', 'embeddings.token_type_embeddings.weight', 'encoder.layer.1.attention.self.pos_key_proj.weight', 'encoder.layer.1.attention.self.pos_query_proj.bias']));
    expect(all).not.toContain('encoder.LayerNorm.weight');
    expect(names({ relative_attention: false })).not.toContain('encoder.rel_embeddings.weight');
    expect(debertaV2CheckpointFamily.encoderParamName('deberta.encoder.layer.0.attention.self.query_proj.weight')).toBe('encoder.layer.0.attention.self.query_proj.weight');
    expect(debertaV2CheckpointFamily.encoderParamName('entity_classifier.weight')).toBeNull();
    for (const n of ['lm_predictions.lm_head.bias', 'deberta.embeddings.position_ids', 'mask_predictions.dense.weight', 'pooler.dense.weight']) expect(debertaV2CheckpointFamily.isIgnoredTensor(n)).toBe(true);
    expect(debertaV2CheckpointFamily.isIgnoredTensor('rel_classifier.weight')).toBe(false);
  });
});
