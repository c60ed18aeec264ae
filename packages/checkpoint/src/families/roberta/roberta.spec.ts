import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../../../tools/testing/shared';
import { loadCheckpoint, saveCheckpoint } from '../../checkpoint';
import { nodeFs, type CheckpointFs } from '../../checkpoint-fs';
import { writeRandomCheckpoint } from '../../random-checkpoint';
import { checkpointFamily, makeEncoderConfig, parseEncoderConfig } from '../../registry';
import { sameBits } from '../../testing/same-bits';
import { asRobertaConfig, isRobertaConfig, makeRobertaConfig, parseRobertaConfig, robertaCheckpointFamilies, robertaConfigToJson, robertaParamSpecs } from '.';
import { isIgnoredRobertaTensor, robertaEncoderParamName } from './names';

const tinyDir = (...f: string[]) => sharedPath('fixtures', 'tiny-roberta', ...f);
const sizes = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16 };
const hiding = (...names: string[]): CheckpointFs => ({ ...nodeFs, exists: async (f) => !names.includes(path.basename(f)) && nodeFs.exists(f) });

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'roberta-ckpt-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe('RoBERTa config', () => {
  it('reads the tiny-roberta config.json (pad_token_id typed, unknown fields kept) and writes it back', () => {
    const c = parseRobertaConfig(readFileSync(tinyDir('config.json'), 'utf8'), 'tiny-roberta/config.json');
    expect(c).toMatchObject({ model_type: 'roberta', vocab_size: 561, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 66, type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1 });
    expect(c.extra).toMatchObject({ bos_token_id: 0, eos_token_id: 2, architectures: ['RobertaForMaskedLM'] });
    expect(c.extra).not.toHaveProperty('pad_token_id');
    expect(robertaConfigToJson(c)).toMatchObject({ pad_token_id: 1, model_type: 'roberta', architectures: ['RobertaForMaskedLM'] });
    expect(parseRobertaConfig(robertaConfigToJson(c))).toEqual(c);
    expect(parseEncoderConfig(robertaConfigToJson(c))).toEqual(c);
    expect(checkpointFamily('roberta').maxSequenceLength(c)).toBe(64); // 66 - pad 1 - 1, as the tokenizer's maxLength
  });

  it('registers roberta, xlm-roberta and camembert as one architecture with the roberta. prefix', () => {
    expect(robertaCheckpointFamilies.map((f) => f.modelType)).toEqual(['roberta', 'xlm-roberta', 'camembert']);
    for (const t of ['roberta', 'xlm-roberta', 'camembert']) {
      const family = checkpointFamily(t);
      expect(family.prefix).toBe('roberta.');
      const c = family.makeConfig(sizes);
      expect(c.model_type).toBe(t);
      const architectures = [{ roberta: 'RobertaModel', 'xlm-roberta': 'XLMRobertaModel', camembert: 'CamembertModel' }[t]];
      expect(family.configToJson(c).architectures).toEqual(architectures);
      expect(parseEncoderConfig(family.configToJson(c))).toEqual({ ...c, extra: { architectures } });
    }
  });

  it('gives new configs roberta-base defaults and parsed ones transformers RobertaConfig defaults', () => {
    expect(makeEncoderConfig({ ...sizes, model_type: 'roberta' })).toMatchObject({ max_position_embeddings: 514, type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1 });
    expect(parseEncoderConfig({ ...sizes, model_type: 'xlm-roberta' })).toMatchObject({ max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 1 });
  });

  it('refuses other model types and bad fields by file and field', () => {
    expect(() => parseRobertaConfig({ ...sizes, model_type: 'bert' }, 'm/config.json')).toThrow(/^m\/config\.json: model_type "bert" is not supported by the RoBERTa family/);
    expect(() => parseRobertaConfig({ ...sizes }, 'm/config.json')).toThrow(/model_type undefined is not supported by the RoBERTa family/);
    expect(() => parseRobertaConfig({ ...sizes, model_type: 'roberta', pad_token_id: 30 }, 'm/config.json')).toThrow(/m\/config\.json: field "pad_token_id" must be an integer in \[0, vocab_size 30\), got 30/);
    expect(() => parseRobertaConfig({ ...sizes, model_type: 'roberta', pad_token_id: '1' })).toThrow(/field "pad_token_id" must be an integer/);
    expect(() => parseRobertaConfig({ ...sizes, model_type: 'roberta', max_position_embeddings: 2 }, 'c.json')).toThrow(/c\.json: max_position_embeddings 2 leaves no position: RoBERTa's positions start at pad_token_id \+ 1 = 2/);
    expect(() => parseRobertaConfig({ ...sizes, model_type: 'camembert', hidden_act: 'gelu_new' }, 'c.json')).toThrow(/c\.json: hidden_act "gelu_new" is not supported/);
    expect(() => parseRobertaConfig({ ...sizes, model_type: 'roberta', position_embedding_type: 'relative_key' }, 'c.json')).toThrow(/position_embedding_type "relative_key" is not supported/);
    expect(() => parseRobertaConfig({ ...sizes, model_type: 'roberta', hidden_size: 9 }, 'c.json')).toThrow(/c\.json: hidden_size 9 is not a multiple of num_attention_heads 2/);
    expect(() => asRobertaConfig(makeEncoderConfig(sizes), 'here')).toThrow(/^here: config has model_type "bert", expected one of "roberta", "xlm-roberta", "camembert"$/);
    expect(isRobertaConfig(makeRobertaConfig(sizes))).toBe(true);
  });
});

describe('RoBERTa checkpoint names', () => {
  it('maps roberta.-prefixed and bare names, ignores the LM head and id buffers, keeps other heads as extra', () => {
    expect(robertaEncoderParamName('roberta.encoder.layer.1.output.LayerNorm.weight')).toBe('encoder.layer.1.output.LayerNorm.weight');
    expect(robertaEncoderParamName('embeddings.position_embeddings.weight')).toBe('embeddings.position_embeddings.weight');
    expect(robertaEncoderParamName('bert.embeddings.word_embeddings.weight')).toBeNull();
    expect(robertaEncoderParamName('classifier.dense.weight')).toBeNull();
    expect(robertaEncoderParamName('entity_classifier.weight')).toBeNull();
    for (const n of ['lm_head.bias', 'lm_head.dense.weight', 'roberta.embeddings.position_ids', 'embeddings.token_type_ids']) expect(isIgnoredRobertaTensor(n)).toBe(true);
    for (const n of ['roberta.embeddings.position_embeddings.weight', 'classifier.out_proj.bias', 'rel_classifier.weight']) expect(isIgnoredRobertaTensor(n)).toBe(false);
  });

  it.each(['model.safetensors', 'pytorch_model.bin'])('loads tiny-roberta from %s: exactly the spec\'d tensors, lm_head.bias ignored', async (file) => {
    const other = file === 'model.safetensors' ? 'pytorch_model.bin' : 'model.safetensors';
    const ck = await loadCheckpoint({ dir: tinyDir(), fs: hiding(other) });
    expect(ck.weightsFiles.map((f) => path.basename(f))).toEqual([file]);
    expect(ck.config.model_type).toBe('roberta');
    const config = asRobertaConfig(ck.config, 'test');
    expect(Object.fromEntries([...ck.encoderTensors].map(([k, t]) => [k, t.shape]))).toEqual(Object.fromEntries(robertaParamSpecs(config).map((s) => [s.name, s.shape])));
    expect(ck.extraTensors.size).toBe(0);
    expect(ck.ignored).toEqual(file === 'pytorch_model.bin' ? ['lm_head.bias'] : []);
    expect(ck.tokenizerJsonPath).toBe(tinyDir('tokenizer.json'));
  });

  it('both weight files hold the same encoder tensors bit for bit', async () => {
    const st = await loadCheckpoint({ dir: tinyDir() });
    const bin = await loadCheckpoint({ dir: tinyDir(), fs: hiding('model.safetensors') });
    for (const [k, t] of st.encoderTensors) expect(sameBits(bin.encoderTensors.get(k)!.data, t.data)).toBe(true);
  });
});

describe('RoBERTa random checkpoints', () => {
  it('writes a seeded random encoder (zero padding rows) that saves and loads bit-exactly with the roberta. prefix', async () => {
    const config = await writeRandomCheckpoint({ dir: tmp, config: { ...sizes, model_type: 'xlm-roberta', max_position_embeddings: 20 }, seed: 4, prefix: true });
    expect(config).toMatchObject({ model_type: 'xlm-roberta', pad_token_id: 1, max_position_embeddings: 20 });
    const ck = await loadCheckpoint({ dir: tmp });
    expect(ck.config).toEqual({ ...config, extra: { architectures: ['XLMRobertaModel'] } }); // config.json names the class
    const H = sizes.hidden_size;
    const word = ck.encoderTensors.get('embeddings.word_embeddings.weight')!;
    const pos = ck.encoderTensors.get('embeddings.position_embeddings.weight')!;
    expect([...word.data.subarray(H, 2 * H)].every((v) => v === 0)).toBe(true);
    expect([...pos.data.subarray(H, 2 * H)].every((v) => v === 0)).toBe(true);
    expect([...pos.data.subarray(2 * H, 3 * H)].some((v) => v !== 0)).toBe(true);
    const raw = JSON.parse(readFileSync(path.join(tmp, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(raw).toMatchObject({ model_type: 'xlm-roberta', pad_token_id: 1, architectures: ['XLMRobertaModel'] });
    const again = path.join(tmp, 'again');
    await saveCheckpoint({ dir: again, config: ck.config, encoderTensors: ck.encoderTensors, prefix: true });
    const back = await loadCheckpoint({ dir: again });
    expect(back.config).toEqual(ck.config);
    for (const [k, t] of ck.encoderTensors) expect(sameBits(back.encoderTensors.get(k)!.data, t.data)).toBe(true);
    // the same seed gives the same tensors
    const twin = path.join(tmp, 'twin');
    await writeRandomCheckpoint({ dir: twin, config: { ...sizes, model_type: 'xlm-roberta', max_position_embeddings: 20 }, seed: 4 });
    for (const [k, t] of (await loadCheckpoint({ dir: twin })).encoderTensors) expect(sameBits(ck.encoderTensors.get(k)!.data, t.data)).toBe(true);
  });
});
