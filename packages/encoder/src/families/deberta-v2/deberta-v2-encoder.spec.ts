import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeDebertaV2Config, parseDebertaV2Config, readPytorchBin, readSafetensors, initRng, type DebertaV2ConfigFields, type NamedTensor } from '@spert/checkpoint';
import { loadTokenizer } from '@spert/tokenizer';
import { sameBits } from '../../../../../tools/testing/float64';
import { sharedPath } from '../../../../../tools/testing/shared';
import { createEncoder } from '../../registry';
import type { Float64Weights } from '../../testing/bert-float64';
import { debertaV2ForwardFloat64 } from '../../testing/deberta-float64';
import { DebertaV2Encoder } from './deberta-v2-encoder';

const fixtureDir = path.dirname(sharedPath('fixtures', 'tiny-deberta-v3', 'config.json'));
const fixture = (f: string) => path.join(fixtureDir, f);
const tinyConfig = () => parseDebertaV2Config(readFileSync(fixture('config.json'), 'utf8'));
interface ExpectedHidden {
  input_ids: number[][];
  attention_mask: number[][];
  lengths: number[];
  last_hidden_state: number[][][];
  last_hidden_state_float64: number[][][];
}
const expected = () => JSON.parse(readFileSync(fixture('expected_hidden_states.json'), 'utf8')) as ExpectedHidden;
const weightsFrom = (file: string): Map<string, NamedTensor> => {
  const bytes = new Uint8Array(readFileSync(fixture(file)));
  return file.endsWith('.bin') ? readPytorchBin(bytes, file) : readSafetensors(bytes, file).tensors;
};

/** Largest |a - b| over the non-padded positions. */
function maxDiff(a: number[][][], b: number[][][], mask: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, t) => {
    if (mask[i][t]) v.forEach((x, h) => (m = Math.max(m, Math.abs(x - b[i][t][h]))));
  }));
  return m;
}

function run(enc: DebertaV2Encoder, ids: number[][], mask: number[][], training = false, types?: number[][]): number[][][] {
  return tf.tidy(() => enc.apply({
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(mask, undefined, 'int32'),
    tokenTypeIds: types ? tf.tensor2d(types, undefined, 'int32') : undefined,
  }, { training }).arraySync());
}

/** Configs small enough for float64 loops and finite differences; 4 buckets so that short inputs reach the log range. */
const small = (o: Partial<DebertaV2ConfigFields> = {}) =>
  makeDebertaV2Config({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 16, position_buckets: 4, max_relative_positions: 8, ...o });

/** Random PyTorch-layout weights with non-trivial LayerNorm and biases. */
function randomWeights(enc: DebertaV2Encoder, seed: number): Map<string, NamedTensor> {
  const rng = initRng(seed);
  const w = enc.toTensors();
  for (const [, t] of w) for (let i = 0; i < t.data.length; i++) t.data[i] = 0.4 * rng.normal() + (t.shape.length === 1 ? 0.2 : 0);
  return w;
}

describe.each(['cpu', 'wasm'] as const)('DebertaV2Encoder on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(['model.safetensors', 'pytorch_model.bin'])('reproduces the Hugging Face hidden states of tiny-deberta-v3 from %s within 1e-4', (file) => {
    const enc = createEncoder({ config: tinyConfig(), tensors: weightsFrom(file) }) as DebertaV2Encoder;
    expect(enc).toBeInstanceOf(DebertaV2Encoder);
    const e = expected();
    const before = tf.memory().numTensors;
    const got = run(enc, e.input_ids, e.attention_mask);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxDiff(got, e.last_hidden_state, e.attention_mask)).toBeLessThanOrEqual(1e-4);
    expect(maxDiff(got, e.last_hidden_state_float64, e.attention_mask)).toBeLessThanOrEqual(1e-4);
    enc.dispose();
  });

  it.each([
    ['DeBERTa-v3 (buckets, shared keys, c2p + p2c, layer-normed relative embeddings)', {}],
    ['no buckets, own position projections, c2p only, no relative LayerNorm', { position_buckets: -1, max_relative_positions: 3, share_att_key: false, pos_att_type: ['c2p'], norm_rel_ebd: 'none' }],
    ['p2c only with own projections, absolute positions and token types', { share_att_key: false, pos_att_type: ['p2c'], position_biased_input: true, type_vocab_size: 2 }],
    ['no relative attention (scale still counts pos_att_type)', { relative_attention: false }],
  ] as Array<[string, Partial<DebertaV2ConfigFields>]>)('matches an independent float64 forward pass within 1e-4: %s', (_name, o) => {
    const config = small(o);
    const enc0 = DebertaV2Encoder.create({ config, seed: 3 });
    const weights = randomWeights(enc0, 11);
    enc0.dispose();
    const enc = DebertaV2Encoder.create({ config, weights });
    const ids = [[1, 5, 7, 22, 9, 9, 13, 4, 6, 2], [1, 4, 2, 0, 0, 0, 0, 0, 0, 0]];
    const mask = ids.map((r) => r.map((id, t) => (id !== 0 || t === 0 ? 1 : 0)));
    const types = config.type_vocab_size > 0 ? [[0, 0, 0, 0, 1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 0, 0, 0, 0, 0, 0]] : undefined;
    const ref = debertaV2ForwardFloat64(config, weights, ids, mask, types);
    expect(maxDiff(run(enc, ids, mask, false, types), ref, mask)).toBeLessThanOrEqual(1e-4);
    enc.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)('DebertaV2Encoder gradients on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([
    ['DeBERTa-v3 shape', {}],
    ['own position projections, no buckets', { share_att_key: false, position_buckets: -1, max_relative_positions: 2, norm_rel_ebd: 'none' }],
  ] as Array<[string, Partial<DebertaV2ConfigFields>]>)('agree with float64 central differences on every variable (%s)', (_name, o) => {
    const config = small(o);
    const enc = DebertaV2Encoder.create({ config, seed: 5 });
    const weights = randomWeights(enc, 17);
    enc.dispose();
    const model = DebertaV2Encoder.create({ config, weights });
    // 7 tokens: relative offsets up to ±6 pass the 4-bucket log range and the clamps
    const T = 7;
    const ids = [[1, 5, 7, 3, 9, 11, 2], [1, 4, 6, 2, 0, 0, 0]];
    const mask = ids.map((r) => r.map((id) => (id !== 0 ? 1 : 0)));
    const H = config.hidden_size;
    const rng = initRng(2);
    const R = Array.from({ length: 2 * T * H }, () => rng.normal());
    const loss64 = (w: Float64Weights) => {
      const h = debertaV2ForwardFloat64(config, w, ids, mask);
      let s = 0;
      h.forEach((row, b) => row.forEach((v, t) => v.forEach((x, k) => (s += mask[b][t] ? x * R[(b * T + t) * H + k] : 0))));
      return s;
    };
    const vars = model.variables();
    const { grads } = tf.variableGrads(() => {
      const h = model.apply({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') }, { training: false });
      const m = tf.reshape(tf.tensor2d(mask, undefined, 'float32'), [2, T, 1]);
      return tf.sum(tf.mul(tf.mul(h, m), tf.tensor3d(R, [2, T, H]))) as tf.Scalar;
    }, [...vars.values()]);
    const eps = 1e-5;
    let checked = 0;
    const linearNames = new Set(model.toTensors().keys());
    for (const [name, t] of weights) {
      const g = grads[vars.get(name)!.name].dataSync();
      const [rows, cols] = t.shape.length === 2 ? t.shape : [1, t.shape[0]];
      const linear = linearNames.has(name) && t.shape.length === 2 && !name.includes('embeddings');
      // three entries per tensor; word-embedding rows of ids actually used
      for (const idx of [0, Math.floor(t.data.length / 2) + 1, t.data.length - 1].map((i) => (name.includes('word_embeddings') ? 5 * cols + (i % cols) : i))) {
        const w64 = new Map([...weights].map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data) }]));
        const orig = t.data[idx];
        w64.get(name)!.data[idx] = orig + eps;
        const up = loss64(w64);
        w64.get(name)!.data[idx] = orig - eps;
        const down = loss64(w64);
        const fd = (up - down) / (2 * eps);
        const r = Math.floor(idx / cols);
        const c = idx % cols;
        const tfg = linear ? g[c * rows + r] : g[idx]; // variables hold Linear weights as [in, out]
        expect({ name, idx, diff: Math.abs(tfg - fd) <= 2e-3 * Math.max(1, Math.abs(fd)) }).toEqual({ name, idx, diff: true });
        checked++;
      }
    }
    expect(checked).toBe(3 * weights.size);
    // the relative-position path carries gradient
    const relGrad = grads[vars.get('encoder.rel_embeddings.weight')!.name].dataSync();
    expect(Math.max(...Array.from(relGrad, Math.abs))).toBeGreaterThan(1e-3);
    Object.values(grads).forEach((x) => x.dispose());
    model.dispose();
  });
});

describe('DebertaV2Encoder (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('encodes the fixture sentences through loadTokenizer exactly as the hidden-states fixture was made', async () => {
    const { tokenizer } = await loadTokenizer({ dir: fixtureDir });
    const tok = JSON.parse(readFileSync(fixture('expected_tokenization.json'), 'utf8')) as { sentences: Array<{ words: string[]; ids_per_word: number[][]; input_ids_is_split_into_words: number[] }> };
    for (const s of tok.sentences) {
      expect(s.words.map((w) => tokenizer.encodeWord(w))).toEqual(s.ids_per_word);
      expect(tokenizer.encodeWords(s.words).inputIds).toEqual(s.input_ids_is_split_into_words);
    }
    // Rows 0 and 1 of expected_hidden_states.json are sentences 0 and 3, cut to 39 pieces + [SEP].
    const e = expected();
    const ids = [0, 3].map((i) => [...tokenizer.encodeWords(tok.sentences[i].words).inputIds.slice(0, 39), tokenizer.specialIds.sep]);
    expect(ids).toEqual([e.input_ids[0].slice(0, 40), e.input_ids[1].slice(0, 40)]);
    const enc = DebertaV2Encoder.fromTensors(tinyConfig(), weightsFrom('model.safetensors'));
    const mask = ids.map((r) => r.map(() => 1));
    expect(maxDiff(run(enc, ids, mask), [0, 1].map((i) => e.last_hidden_state[i].slice(0, 40)), mask)).toBeLessThanOrEqual(1e-4);
    enc.dispose();
  });

  it('applies seeded dropout in training mode only', () => {
    const config = small();
    const ids = [[1, 5, 7, 2]];
    const mask = [[1, 1, 1, 1]];
    const a = DebertaV2Encoder.create({ config, seed: 9 });
    const b = DebertaV2Encoder.create({ config, seed: 9 });
    const evalOut = run(a, ids, mask);
    expect(run(a, ids, mask)).toEqual(evalOut);
    const t1 = run(a, ids, mask, true);
    expect(maxDiff(t1, evalOut, mask)).toBeGreaterThan(1e-3);
    expect(run(b, ids, mask, true)).toEqual(t1);
    a.dispose();
    b.dispose();
  });

  it('exposes Hugging Face names, round-trips PyTorch-layout tensors exactly, with and without deberta.', () => {
    const config = small();
    const enc = DebertaV2Encoder.create({ config, seed: 1 });
    const vars = enc.variables();
    expect(vars.get('encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([8, 12]); // [in, out]
    expect(vars.get('encoder.rel_embeddings.weight')!.shape).toEqual([8, 8]);
    const t = enc.toTensors({ prefix: true });
    expect(t.get('deberta.encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([12, 8]); // [out, in]
    expect(t.get('deberta.embeddings.word_embeddings.weight')!.data.slice(0, 8)).toEqual(new Float32Array(8)); // padding row zero
    for (const tensors of [t, enc.toTensors()]) {
      const again = DebertaV2Encoder.fromTensors(config, tensors);
      for (const [k, v] of again.toTensors({ prefix: true })) expect(sameBits(v.data, t.get(k)!.data)).toBe(true);
      again.dispose();
    }
    expect(enc.parameterCount()).toBe([...t.values()].reduce((n, x) => n + x.data.length, 0));
    enc.dispose();
    expect(() => enc.variables()).toThrow(/after dispose/);
  });

  it('names missing, unexpected and wrongly shaped tensors, and bad inputs', () => {
    const config = small();
    const enc = DebertaV2Encoder.create({ config });
    const t = enc.toTensors();
    t.delete('encoder.rel_embeddings.weight');
    t.set('encoder.layer.0.attention.self.pos_key_proj.weight', { shape: [8, 8], data: new Float32Array(64) });
    t.set('embeddings.word_embeddings.weight', { shape: [22, 8], data: new Float32Array(22 * 8) });
    expect(() => DebertaV2Encoder.fromTensors(config, t)).toThrow(
      /unexpected tensor "encoder\.layer\.0\.attention\.self\.pos_key_proj\.weight".*"embeddings\.word_embeddings\.weight" has shape \[22,8\], expected \[23,8\].*missing tensor "encoder\.rel_embeddings\.weight"/,
    );
    expect(() => run(enc, [[1, 23]], [[1, 1]])).toThrow(/inputIds\[0\]\[1\] = 23 is outside \[0, 23\)/);
    expect(() => run(enc, [[1, 2]], [[1, 1, 1]])).toThrow(/attentionMask has shape \[1,3\], expected \[1, 2\]/);
    expect(() => run(enc, [Array(17).fill(1)], [Array(17).fill(1)])).toThrow(/exceeds max_position_embeddings 16/);
    expect(() => DebertaV2Encoder.fromTensors({ ...config, model_type: 'bert' }, t)).toThrow(/expected "deberta-v2"/);
    enc.dispose();
  });
});
