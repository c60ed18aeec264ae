import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeBertConfig, parseBertConfig, readPytorchBin, readSafetensors, initRng } from '@spert/checkpoint';
import { sameBits } from '../../../../../tools/testing/float64';
import { sharedPath } from '../../../../../tools/testing/shared';
import { BertEncoder } from './bert-encoder';
import { bertForwardFloat64, type Float64Weights } from '../../testing/bert-float64';
import { erf } from '../../testing/erf';

const tinyDir = (f: string) => sharedPath('fixtures', 'tiny-bert', f);
const tinyConfig = () => parseBertConfig(readFileSync(tinyDir('config.json'), 'utf8'));
const expected = () =>
  JSON.parse(readFileSync(tinyDir('expected_hidden_states.json'), 'utf8')) as {
    input_ids: number[][];
    attention_mask: number[][];
    token_type_ids: number[][];
    last_hidden_state: number[][][];
  };

/** Largest |a - b| over the non-padded positions. */
function maxDiff(a: number[][][], b: number[][][], mask: number[][]): number {
  let m = 0;
  a.forEach((row, i) => row.forEach((v, t) => {
    if (mask[i][t]) v.forEach((x, h) => (m = Math.max(m, Math.abs(x - b[i][t][h]))));
  }));
  return m;
}

function run(enc: BertEncoder, ids: number[][], mask: number[][], types?: number[][], training = false): number[][][] {
  return tf.tidy(() => enc.apply({
    inputIds: tf.tensor2d(ids, undefined, 'int32'),
    attentionMask: tf.tensor2d(mask, undefined, 'int32'),
    tokenTypeIds: types ? tf.tensor2d(types, undefined, 'int32') : undefined,
  }, { training }).arraySync());
}

/** A config small enough for float64 loops and finite differences. */
const small = () => makeBertConfig({ vocab_size: 23, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 12, max_position_embeddings: 10, type_vocab_size: 2 });

/** Random PyTorch-layout weights with non-trivial LayerNorm and biases. */
function randomWeights(enc: BertEncoder, seed: number) {
  const rng = initRng(seed);
  const w = enc.toTensors();
  for (const [, t] of w) {
    for (let i = 0; i < t.data.length; i++) t.data[i] = 0.4 * rng.normal() + (t.shape.length === 1 ? 0.2 : 0);
  }
  return w;
}

describe.each(['cpu', 'wasm'] as const)('BertEncoder on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([
    ['model.safetensors', 1e-4],
    ['pytorch_model.bin', 1e-4],
    ['model.fp16.safetensors', 2.5e-3],
    ['model.bf16.safetensors', 1.5e-2],
  ])('reproduces the Hugging Face hidden states of tiny-bert from %s (max abs error <= %s)', (file, tol) => {
    const bytes = new Uint8Array(readFileSync(tinyDir(file)));
    const tensors = file.endsWith('.bin') ? readPytorchBin(bytes) : readSafetensors(bytes).tensors;
    const enc = BertEncoder.fromTensors(tinyConfig(), tensors);
    const e = expected();
    const before = tf.memory().numTensors;
    const got = run(enc, e.input_ids, e.attention_mask, e.token_type_ids);
    expect(tf.memory().numTensors).toBe(before);
    expect(maxDiff(got, e.last_hidden_state, e.attention_mask)).toBeLessThanOrEqual(tol);
    enc.dispose();
  });

  it('matches an independent float64 forward pass within 1e-4 (padding, token types)', () => {
    const config = small();
    const enc0 = BertEncoder.create({ config, seed: 3 });
    const weights = randomWeights(enc0, 11);
    enc0.dispose();
    const enc = BertEncoder.create({ config, weights });
    const ids = [[2, 5, 7, 22, 1, 9], [3, 4, 0, 0, 0, 0]];
    const mask = [[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0]];
    const types = [[0, 0, 0, 1, 1, 1], [0, 0, 0, 0, 0, 0]];
    const ref = bertForwardFloat64(config, weights, ids, mask, types);
    expect(maxDiff(run(enc, ids, mask, types), ref, mask)).toBeLessThanOrEqual(1e-4);
    // token types default to zeros
    const ref0 = bertForwardFloat64(config, weights, ids, mask);
    expect(maxDiff(run(enc, ids, mask), ref0, mask)).toBeLessThanOrEqual(1e-4);
    enc.dispose();
  });
});

describe.each(['cpu', 'wasm'] as const)('BertEncoder gradients on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('agree with float64 central differences', () => {
    const config = small();
    const enc = BertEncoder.create({ config, seed: 5 });
    const weights = randomWeights(enc, 17);
    enc.dispose();
    const model = BertEncoder.create({ config, weights });
    const ids = [[2, 5, 7, 1], [3, 4, 6, 0]];
    const mask = [[1, 1, 1, 1], [1, 1, 1, 0]];
    const types = [[0, 0, 1, 1], [0, 1, 1, 0]];
    const rng = initRng(2);
    const R = Array.from({ length: 2 * 4 * 8 }, () => rng.normal());
    // loss = sum over non-padded positions of h * R (a fixed random projection)
    const loss64 = (w: Float64Weights) => {
      const h = bertForwardFloat64(config, w, ids, mask, types);
      let s = 0;
      h.forEach((row, b) => row.forEach((v, t) => v.forEach((x, k) => (s += mask[b][t] ? x * R[(b * 4 + t) * 8 + k] : 0))));
      return s;
    };
    const vars = model.variables();
    const { grads } = tf.variableGrads(() => {
      const h = model.apply({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32'), tokenTypeIds: tf.tensor2d(types, undefined, 'int32') }, { training: false });
      const m = tf.reshape(tf.tensor2d(mask, undefined, 'float32'), [2, 4, 1]);
      return tf.sum(tf.mul(tf.mul(h, m), tf.tensor3d(R, [2, 4, 8]))) as tf.Scalar;
    }, [...vars].filter(([n]) => !n.startsWith('pooler.')).map(([, v]) => v));
    const names = [...vars.keys()].filter((n) => !n.startsWith('pooler.'));
    const gradByName = new Map(names.map((n) => [n, grads[vars.get(n)!.name].dataSync()]));
    const eps = 1e-5;
    let checked = 0;
    for (const [name, t] of weights) {
      if (name.startsWith('pooler.')) continue;
      const g = gradByName.get(name)!;
      const [rows, cols] = t.shape.length === 2 ? t.shape : [1, t.shape[0]];
      const linear = name.endsWith('.weight') && /(query|key|value|dense)\.weight$/.test(name);
      // three entries per tensor, including rows actually used by the embedding lookups
      for (const idx of [0, Math.floor(t.data.length / 2) + 1, t.data.length - 1].map((i) => (name.includes('word_embeddings') ? 5 * cols + (i % cols) : i))) {
        const orig = t.data[idx];
        const w64 = new Map([...weights].map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data) }]));
        w64.get(name)!.data[idx] = orig + eps;
        const up = loss64(w64);
        w64.get(name)!.data[idx] = orig - eps;
        const down = loss64(w64);
        const fd = (up - down) / (2 * eps);
        // variables hold Linear weights as [in, out]
        const r = Math.floor(idx / cols);
        const c = idx % cols;
        const tfg = linear ? g[c * rows + r] : g[idx];
        expect(Math.abs(tfg - fd)).toBeLessThanOrEqual(2e-3 * Math.max(1, Math.abs(fd)));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
    Object.values(grads).forEach((x) => x.dispose());
    model.dispose();
  });
});

describe('BertEncoder (cpu)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('applies seeded dropout in training mode only', () => {
    const config = small();
    const ids = [[2, 5, 7, 1]];
    const mask = [[1, 1, 1, 1]];
    const a = BertEncoder.create({ config, seed: 9 });
    const b = BertEncoder.create({ config, seed: 9 });
    const evalOut = run(a, ids, mask);
    expect(run(a, ids, mask)).toEqual(evalOut);
    const t1 = run(a, ids, mask, undefined, true);
    expect(maxDiff(t1, evalOut, mask)).toBeGreaterThan(1e-3);
    expect(run(b, ids, mask, undefined, true)).toEqual(t1); // same seed, same masks
    expect(maxDiff(run(a, ids, mask, undefined, true), t1, mask)).toBeGreaterThan(1e-3); // fresh masks per call
    a.dispose();
    b.dispose();
  });

  it('exposes Hugging Face names, fast layouts, and round-trips PyTorch-layout tensors exactly', () => {
    const config = small();
    const enc = BertEncoder.create({ config, seed: 1 });
    const vars = enc.variables();
    expect(vars.get('encoder.layer.0.attention.self.query.weight')!.shape).toEqual([8, 8]);
    expect(vars.get('encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([8, 12]); // [in, out]
    expect(vars.get('embeddings.word_embeddings.weight')!.shape).toEqual([23, 8]);
    expect([...vars.values()].every((v) => v.trainable)).toBe(true);
    const t = enc.toTensors({ prefix: true });
    expect(t.get('bert.encoder.layer.1.intermediate.dense.weight')!.shape).toEqual([12, 8]); // [out, in]
    expect(t.get('bert.embeddings.word_embeddings.weight')!.data.slice(0, 8)).toEqual(new Float32Array(8)); // padding row zero
    const again = BertEncoder.fromTensors(config, t);
    for (const [k, v] of again.toTensors({ prefix: true })) expect(sameBits(v.data, t.get(k)!.data)).toBe(true);
    expect(enc.parameterCount()).toBe([...t.values()].reduce((n, x) => n + x.data.length, 0));
    const pooled = enc.pool(tf.ones([2, 3, 8]) as tf.Tensor3D);
    expect(pooled.shape).toEqual([2, 8]);
    pooled.dispose();
    enc.dispose();
    again.dispose();
    expect(() => enc.variables()).toThrow(/after dispose/);
  });

  it('names missing, unexpected and wrongly shaped tensors, and bad inputs', () => {
    const config = small();
    const enc = BertEncoder.create({ config });
    const t = enc.toTensors();
    t.delete('encoder.layer.1.output.dense.bias');
    t.set('encoder.layer.7.output.dense.bias', { shape: [8], data: new Float32Array(8) });
    t.set('embeddings.word_embeddings.weight', { shape: [22, 8], data: new Float32Array(22 * 8) });
    expect(() => BertEncoder.fromTensors(config, t)).toThrow(
      /unexpected tensor "encoder\.layer\.7\.output\.dense\.bias".*"embeddings\.word_embeddings\.weight" has shape \[22,8\], expected \[23,8\].*missing tensor "encoder\.layer\.1\.output\.dense\.bias"/,
    );
    expect(() => run(enc, [[1, 23]], [[1, 1]])).toThrow(/inputIds\[0\]\[1\] = 23 is outside \[0, 23\)/);
    expect(() => run(enc, [[1, 2]], [[1, 1, 1]])).toThrow(/attentionMask has shape \[1,3\], expected \[1, 2\]/);
    expect(() => run(enc, [Array(11).fill(1)], [Array(11).fill(1)])).toThrow(/exceeds max_position_embeddings 10/);
    enc.dispose();
  });

  it('loads a checkpoint without pooler by initialising one', () => {
    const config = small();
    const enc = BertEncoder.create({ config });
    const t = enc.toTensors({ withoutPooler: true });
    expect(() => BertEncoder.fromTensors(config, t, { requirePooler: true })).toThrow(/missing tensor "pooler\.dense\.weight"/);
    const loaded = BertEncoder.fromTensors(config, t);
    expect(loaded.toTensors().has('pooler.dense.weight')).toBe(true);
    enc.dispose();
    loaded.dispose();
  });

  it('float64 reference erf is accurate', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(-1.5)).toBeCloseTo(-0.9661051464753108, 14);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 14);
  });
});
