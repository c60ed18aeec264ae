import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { loadCheckpoint, makeRobertaConfig, nodeFs, parseRobertaConfig, type CheckpointFs } from '@spert/checkpoint';
import { loadTokenizer } from '@spert/tokenizer';
import { sameBits } from '../../../../../tools/testing/float64';
import { sharedPath } from '../../../../../tools/testing/shared';
import { loadEncoder } from '../../load';
import { createEncoder } from '../../registry';
import { describeEncoderConformance, maxDiff, runEncoder } from '../../testing/encoder-conformance';
import { RobertaEncoder } from './roberta-encoder';
import { robertaForwardFloat64, robertaPositionIds64 } from './testing/roberta-float64';

const tinyDir = (...f: string[]) => sharedPath('fixtures', 'tiny-roberta', ...f);
const tinyConfig = () => parseRobertaConfig(readFileSync(tinyDir('config.json'), 'utf8'), tinyDir('config.json'));
interface ExpectedHidden {
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  lengths: number[];
  last_hidden_state: number[][][];
  last_hidden_state_float64: number[][][];
}
interface ExpectedTokenization {
  words: Array<{ word: string; ids_with_prefix_space: number[] }>;
  sentences: Array<{ words: string[]; input_ids_is_split_into_words: number[] }>;
}
const expectedHidden = () => JSON.parse(readFileSync(tinyDir('expected_hidden_states.json'), 'utf8')) as ExpectedHidden;
const expectedTokenization = () => JSON.parse(readFileSync(tinyDir('expected_tokenization.json'), 'utf8')) as ExpectedTokenization;
const hiding = (...names: string[]): CheckpointFs => ({ ...nodeFs, exists: async (f) => !names.includes(path.basename(f)) && nodeFs.exists(f) });

const run = (enc: RobertaEncoder, ids: number[][], mask: number[][], types?: number[][], training = false) => runEncoder(enc, { ids, mask, types }, training);

/** A config small enough for float64 loops and finite differences; pad_token_id 1 as RoBERTa's, two token types to test that path too. */
const small = () => makeRobertaConfig({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 12, type_vocab_size: 2 });

describeEncoderConformance({
  name: 'RobertaEncoder',
  create: (o) => RobertaEncoder.create(o),
  fixture: {
    dir: tinyDir(),
    config: tinyConfig,
    weights: [
      ['model.safetensors', 1e-4],
      ['pytorch_model.bin', 1e-4],
    ],
    float64States: true,
    load: (config, tensors, file) => {
      if (file.endsWith('.bin')) expect(tensors.has('lm_head.bias')).toBe(true); // the unused head is there, and ignored
      return RobertaEncoder.fromTensors(config, tensors);
    },
  },
  float64: robertaForwardFloat64,
  forward: [
    ['padding, token types (and token types defaulting to zeros)', small, [
      { ids: [[0, 5, 7, 22, 4, 9, 2], [0, 4, 2, 1, 1, 1, 1]], mask: [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0, 0]], types: [[0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0]] },
      { ids: [[0, 5, 7, 22, 4, 9, 2], [0, 4, 2, 1, 1, 1, 1]], mask: [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0, 0]] },
    ]],
  ],
  gradients: [
    ['every variable but the pooler, position rows of real tokens', small, { ids: [[0, 5, 7, 2], [0, 4, 2, 1]], mask: [[1, 1, 1, 1], [1, 1, 1, 0]], types: [[0, 0, 1, 1], [0, 1, 1, 0]] }],
  ],
  skipGradient: (name) => name.startsWith('pooler.'),
  // three entries per tensor, in rows the lookups use: word 5, positions pad + 1..pad + 4 (here 2..5)
  gradientRow: (name) => (name.includes('word_embeddings') ? 5 : name.includes('position_embeddings') ? 3 : -1),
  afterGradients: (grads) => {
    // the padding row of the position table gets no gradient from real tokens
    const posGrad = grads.get('embeddings.position_embeddings.weight')!;
    expect(Math.max(...[...posGrad.subarray(0, 2 * 8)].map(Math.abs))).toBe(0);
    expect(Math.max(...[...posGrad.subarray(2 * 8, 3 * 8)].map(Math.abs))).toBeGreaterThan(0);
  },
  small,
});

describe('tiny-roberta end to end (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('loadTokenizer reproduces expected_tokenization.json: every word with prefix space, every sentence word by word', async () => {
    const { tokenizer } = await loadTokenizer({ dir: tinyDir() });
    const t = expectedTokenization();
    expect(tokenizer.maxLength).toBe(64);
    for (const w of t.words) expect(tokenizer.encodeWord(w.word)).toEqual(w.ids_with_prefix_space);
    for (const s of t.sentences) expect(tokenizer.encodeWords(s.words, { maxLength: 512 }).inputIds).toEqual(s.input_ids_is_split_into_words);
  });

  it('words -> loadTokenizer -> loadEncoder (both weight files) give the reference hidden states of the sentences they cut', async () => {
    const { tokenizer } = await loadTokenizer({ dir: tinyDir() });
    const e = expectedHidden();
    const t = expectedTokenization();
    // Rows 0 and 1 of expected_hidden_states.json are sentences 0 and 3, cut to 40 tokens (`<s>` ... `</s>`).
    const rows = [0, 1];
    const ids = [0, 3].map((s, k) => {
      const all = tokenizer.encodeWords(t.sentences[s].words, { maxLength: 512 }).inputIds;
      const cut = [...all.slice(0, e.lengths[rows[k]] - 1), all[all.length - 1]];
      expect(cut).toEqual(e.input_ids[rows[k]].slice(0, e.lengths[rows[k]]));
      return cut;
    });
    const mask = ids.map((r) => r.map(() => 1));
    for (const fs of [nodeFs, hiding('model.safetensors')]) {
      const { encoder, checkpoint } = await loadEncoder({ id: tinyDir(), fs });
      expect(encoder).toBeInstanceOf(RobertaEncoder);
      expect(checkpoint.ignored).toEqual(fs === nodeFs ? [] : ['lm_head.bias']);
      const got = tf.tidy(() => encoder.apply({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') }, { training: false }).arraySync());
      expect(maxDiff(got, rows.map((r) => e.last_hidden_state[r]), mask)).toBeLessThanOrEqual(1e-4);
      encoder.dispose();
    }
  });

  it('derives the fixture\'s position ids from the attention mask, whatever id pads', () => {
    const e = expectedHidden();
    const enc = RobertaEncoder.create({ config: tinyConfig() });
    const fromMask = tf.tidy(() => enc.positionIds(tf.tensor2d(e.attention_mask, undefined, 'int32')).arraySync());
    expect(fromMask).toEqual(e.position_ids);
    expect(e.attention_mask.map((m) => robertaPositionIds64(m, 1))).toEqual(e.position_ids);
    // SpERT pads with id 0 (`<s>`): padded rows do not change the real tokens' outputs
    const ids = e.input_ids.slice(1, 2);
    const zeroPadded = ids.map((r) => r.map((id, t) => (e.attention_mask[1][t] ? id : 0)));
    const mask = e.attention_mask.slice(1, 2);
    expect(maxDiff(run(enc, zeroPadded, mask), run(enc, ids, mask), mask)).toBeLessThanOrEqual(1e-6);
    enc.dispose();
  });
});

describe('RobertaEncoder (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('applies seeded dropout in training mode only', () => {
    const config = small();
    const ids = [[0, 5, 7, 2]];
    const mask = [[1, 1, 1, 1]];
    const a = RobertaEncoder.create({ config, seed: 9 });
    const b = RobertaEncoder.create({ config, seed: 9 });
    const evalOut = run(a, ids, mask);
    expect(run(a, ids, mask)).toEqual(evalOut);
    const t1 = run(a, ids, mask, undefined, true);
    expect(maxDiff(t1, evalOut, mask)).toBeGreaterThan(1e-3);
    expect(run(b, ids, mask, undefined, true)).toEqual(t1);
    a.dispose();
    b.dispose();
  });

  it('is what createEncoder builds for roberta, xlm-roberta and camembert; round-trips PyTorch-layout tensors exactly with the roberta. prefix', () => {
    for (const modelType of ['roberta', 'xlm-roberta', 'camembert']) {
      const config = makeRobertaConfig({ ...small(), model_type: modelType });
      const enc = createEncoder({ config, seed: 1 });
      expect(enc).toBeInstanceOf(RobertaEncoder);
      const t = enc.toTensors({ prefix: true });
      expect(t.get('roberta.encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([12, 8]); // [out, in]
      expect(enc.variables().get('encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([8, 12]); // [in, out]
      expect(t.get('roberta.embeddings.word_embeddings.weight')!.data.slice(8, 16)).toEqual(new Float32Array(8)); // padding row (id 1) zero
      expect(t.get('roberta.embeddings.position_embeddings.weight')!.data.slice(8, 16)).toEqual(new Float32Array(8));
      const again = createEncoder({ config, tensors: t });
      for (const [k, v] of again.toTensors({ prefix: true })) expect(sameBits(v.data, t.get(k)!.data)).toBe(true);
      expect(enc.parameterCount()).toBe([...t.values()].reduce((n, x) => n + x.data.length, 0));
      enc.dispose();
      again.dispose();
    }
  });

  it('names missing, unexpected and wrongly shaped tensors, bad inputs and too long sequences', () => {
    const config = small();
    const enc = RobertaEncoder.create({ config });
    const t = enc.toTensors();
    t.delete('encoder.layer.1.output.dense.bias');
    t.set('encoder.layer.7.output.dense.bias', { shape: [8], data: new Float32Array(8) });
    t.set('embeddings.word_embeddings.weight', { shape: [22, 8], data: new Float32Array(22 * 8) });
    expect(() => RobertaEncoder.fromTensors(config, t)).toThrow(
      /RoBERTa \(roberta\) weights do not match the config: unexpected tensor "encoder\.layer\.7\.output\.dense\.bias".*"embeddings\.word_embeddings\.weight" has shape \[22,8\], expected \[23,8\].*missing tensor "encoder\.layer\.1\.output\.dense\.bias"/,
    );
    expect(() => RobertaEncoder.fromTensors({ ...config, model_type: 'bert' }, t)).toThrow(/RobertaEncoder\.fromTensors: config has model_type "bert"/);
    expect(() => run(enc, [[1, 23]], [[1, 1]])).toThrow(/inputIds\[0\]\[1\] = 23 is outside \[0, 23\)/);
    expect(() => run(enc, [[1, 2]], [[1, 1, 1]])).toThrow(/attentionMask has shape \[1,3\], expected \[1, 2\]/);
    // 12 positions, padding index 1: at most 10 tokens
    expect(run(enc, [Array(10).fill(4)], [Array(10).fill(1)])[0]).toHaveLength(10);
    expect(() => run(enc, [Array(11).fill(4)], [Array(11).fill(1)])).toThrow(/sequence length 11 exceeds 10 \(max_position_embeddings 12 - pad_token_id 1 - 1\)/);
    enc.dispose();
    expect(() => enc.variables()).toThrow(/after dispose/);
  });

  it('loads a checkpoint without pooler by initialising one', async () => {
    const ck = await loadCheckpoint({ dir: tinyDir() });
    const noPooler = new Map([...ck.encoderTensors].filter(([k]) => !k.startsWith('pooler.')));
    expect(() => RobertaEncoder.fromTensors(ck.config, noPooler, { requirePooler: true })).toThrow(/missing tensor "pooler\.dense\.weight"/);
    const enc = RobertaEncoder.fromTensors(ck.config, noPooler);
    expect(enc.toTensors().has('pooler.dense.weight')).toBe(true);
    const pooled = enc.pool(tf.ones([2, 3, 32]) as tf.Tensor3D);
    expect(pooled.shape).toEqual([2, 32]);
    pooled.dispose();
    enc.dispose();
  });
});
