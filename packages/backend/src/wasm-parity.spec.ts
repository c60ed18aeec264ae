import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './use-backend';

// Every op the SpERT model uses must give the same value AND gradient on wasm as on the cpu
// backend. Tolerance: |wasm - cpu| <= 1e-5 * |cpu| + 1e-5 * max(1, max|cpu|) (float32 summation
// order differs between XNNPACK and the cpu loops; a wrong kernel is off by orders more).

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 * 2 - 1;
  };
}

interface Case {
  name: string;
  shapes: number[][];
  fn: (...xs: tf.Tensor[]) => tf.Tensor;
}

const mm = (ta: boolean, tb: boolean) => (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
const layerNorm = (x: tf.Tensor) => {
  const mean = tf.mean(x, -1, true);
  const c = tf.sub(x, mean);
  const variance = tf.mean(tf.square(c), -1, true);
  return tf.mul(c, tf.rsqrt(tf.add(variance, 1e-12)));
};

const cases: Case[] = [
  { name: 'matMul', shapes: [[5, 7], [7, 6]], fn: mm(false, false) },
  { name: 'matMul transposeA', shapes: [[7, 5], [7, 6]], fn: mm(true, false) },
  { name: 'matMul transposeB', shapes: [[5, 7], [6, 7]], fn: mm(false, true) },
  { name: 'matMul transposeA+B', shapes: [[7, 5], [6, 7]], fn: mm(true, true) },
  { name: 'batchMatMul rank 4 transposeB (attention scores)', shapes: [[2, 3, 5, 4], [2, 3, 6, 4]], fn: mm(false, true) },
  { name: 'batchMatMul rank 3 transposeA', shapes: [[3, 4, 5], [3, 4, 6]], fn: mm(true, false) },
  { name: 'batchMatMul broadcast batch', shapes: [[3, 5, 4], [4, 6]], fn: mm(false, false) },
  {
    name: 'fused matMul + bias + relu, transposeB', shapes: [[5, 7], [6, 7], [6]],
    fn: (a, b, bias) => tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' }),
  },
  {
    name: 'fused matMul + bias, linear, N > M (swapped layout)', shapes: [[3, 5], [5, 8], [8]],
    fn: (a, b, bias) => tf.fused.matMul({ a, b, bias }),
  },
  {
    name: 'fused matMul + bias, transposeA, rank 3 batch 1', shapes: [[1, 5, 3], [1, 5, 8], [8]],
    fn: (a, b, bias) => tf.fused.matMul({ a: a as tf.Tensor3D, b: b as tf.Tensor3D, transposeA: true, bias }),
  },
  { name: 'gather rows (embedding) with repeats', shapes: [[10, 4]], fn: (x) => tf.gather(x, tf.tensor1d([3, 0, 3, 9, 3], 'int32')) },
  { name: 'gather axis 1', shapes: [[3, 6, 2]], fn: (x) => tf.gather(x, tf.tensor1d([5, 1, 1], 'int32'), 1) },
  {
    name: 'unsortedSegmentSum (negative ids dropped)', shapes: [[6, 3]],
    fn: (x) => tf.unsortedSegmentSum(x, tf.tensor1d([2, 0, 2, -1, 3, 1], 'int32'), 4),
  },
  { name: 'add/sub/mul/div broadcast', shapes: [[2, 3, 4], [4], [3, 1]], fn: (a, b, c) => tf.div(tf.sub(tf.mul(tf.add(a, b), c), a), tf.add(tf.abs(c), 2)) },
  { name: 'softmax', shapes: [[3, 7]], fn: (x) => tf.softmax(tf.mul(x, 3)) },
  { name: 'logSoftmax', shapes: [[3, 7]], fn: (x) => tf.logSoftmax(tf.mul(x, 3)) },
  { name: 'erf / exact GELU', shapes: [[4, 9]], fn: (x) => gelu(tf.mul(x, 3)) },
  { name: 'mean/square/rsqrt (LayerNorm)', shapes: [[2, 3, 8]], fn: layerNorm },
  { name: 'max over an axis', shapes: [[2, 5, 4]], fn: (x) => tf.max(x, 1) },
  { name: 'max keepDims, all axes', shapes: [[3, 4]], fn: (x) => tf.add(tf.max(x, -1, true), tf.max(x)) },
  { name: 'concat', shapes: [[2, 3], [2, 5]], fn: (a, b) => tf.concat([a, b, a], 1) },
  { name: 'slice', shapes: [[4, 6, 3]], fn: (x) => tf.slice(x, [1, 2, 0], [2, 3, -1]) },
  { name: 'stridedSlice with stride and shrink', shapes: [[5, 6, 3]], fn: (x) => tf.stridedSlice(x, [1, 0, 2], [5, 6, 3], [2, 3, 1], 0, 0, 0, 0, 4) },
  { name: 'stridedSlice negative stride', shapes: [[7, 2]], fn: (x) => tf.stridedSlice(x, [6, 0], [0, 2], [-2, 1]) },
  { name: 'reshape + transpose', shapes: [[2, 6, 4]], fn: (x) => tf.transpose(tf.reshape(x, [2, 6, 2, 2]), [0, 2, 1, 3]) },
  { name: 'transpose moving only size-1 dims (shared buffer)', shapes: [[3, 1, 4]], fn: (x) => tf.add(tf.reshape(tf.transpose(x, [1, 0, 2]), [3, 4]), tf.mul(tf.reshape(tf.transpose(x, [0, 2, 1]), [3, 4]), 2)) },
  { name: 'transpose rank 5 (BERT heads split)', shapes: [[2, 4, 3, 2, 5]], fn: (x) => tf.transpose(x, [2, 0, 3, 1, 4]) },
  { name: 'transpose rank 6 with size-1 and mergeable axes', shapes: [[2, 1, 3, 4, 2, 3]], fn: (x) => tf.transpose(x, [4, 5, 0, 3, 1, 2]) },
  { name: 'sigmoid', shapes: [[3, 5]], fn: (x) => tf.sigmoid(tf.mul(x, 4)) },
  { name: 'tanh', shapes: [[3, 5]], fn: (x) => tf.tanh(tf.mul(x, 2)) },
  { name: 'where/select', shapes: [[3, 4], [3, 4]], fn: (a, b) => tf.where(tf.greater(a, b), tf.mul(a, 2), tf.sub(b, 1)) },
  { name: 'dropout (seeded randomUniform + mul)', shapes: [[4, 8]], fn: (x) => tf.dropout(x, 0.3, undefined, 42) },
  { name: 'sum over axes', shapes: [[2, 3, 4]], fn: (x) => tf.add(tf.sum(x, [0, 2]), tf.sum(x)) },
  { name: 'sqrt', shapes: [[3, 4]], fn: (x) => tf.sqrt(tf.add(tf.abs(x), 0.1)) },
  { name: 'maximum broadcast', shapes: [[3, 4], [4]], fn: (a, b) => tf.maximum(a, b) },
  { name: 'minimum broadcast', shapes: [[3, 1], [3, 4]], fn: (a, b) => tf.minimum(a, b) },
  {
    name: 'gatherND / scatterND', shapes: [[4, 3], [2, 3]],
    fn: (x, u) => tf.add(tf.gatherND(x, tf.tensor2d([[1], [3], [1]], [3, 1], 'int32')), tf.sum(tf.scatterND(tf.tensor2d([[2], [0]], [2, 1], 'int32'), u, [4, 3]))),
  },
  { name: 'stridedSlice of int32 on general path', shapes: [[4, 3]], fn: (x) => tf.mul(tf.cast(tf.stridedSlice(tf.reshape(tf.range(0, 12, 1, 'int32'), [4, 3]), [0, 2], [4, 0], [2, -1]), 'float32'), tf.stridedSlice(x, [0, 2], [4, 0], [2, -1])) },
  { name: 'clipByValue', shapes: [[4, 5]], fn: (x) => tf.clipByValue(tf.mul(x, 2), -0.7, 0.9) },
  { name: 'oneHot * x', shapes: [[4, 5]], fn: (x) => tf.mul(tf.oneHot(tf.tensor1d([0, 4, 2, 2], 'int32'), 5), x) },
  { name: 'cast bool->float mask', shapes: [[4, 5]], fn: (x) => tf.mul(x, tf.cast(tf.greater(x, 0), 'float32')) },
  { name: 'tile', shapes: [[2, 3]], fn: (x) => tf.tile(x, [3, 2]) },
  {
    name: 'span max-pooling (mask, expand, max)', shapes: [[2, 6, 4]],
    fn: (h) => {
      const mask = tf.tensor3d([[[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0]], [[0, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]]]);
      const m = tf.expandDims(mask, -1);
      const masked = tf.add(tf.mul(tf.expandDims(h, 1), m), tf.mul(tf.sub(1, m), -1e30));
      return tf.max(masked, 2);
    },
  },
];

interface Result { value: Float32Array; grads: Float32Array[] }

function run(c: Case): Result {
  return tf.tidy(() => {
    const rand = lcg(c.name.length * 7919 + 17);
    const xs = c.shapes.map((s) => tf.tensor(Float32Array.from({ length: s.reduce((p, d) => p * d, 1) }, rand), s));
    const y = c.fn(...xs);
    const w = tf.tensor(Float32Array.from({ length: y.size }, rand), y.shape);
    const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(c.fn(...args), w)))(xs);
    return { value: y.dataSync() as Float32Array, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (1e-5 * Math.abs(expected[i]) + 1e-5 * scale);
    if (excess > worst) { worst = excess; at = i; }
  }
  if (at >= 0) throw new Error(`${what}: element ${at} wasm ${actual[at]} vs cpu ${expected[at]}`);
}

describe('wasm matches cpu (value and gradient) for every op the model uses', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await useBackend('cpu');
    const ref = run(c);
    await useBackend('wasm');
    const got = run(c);
    expectClose(got.value, ref.value, `${c.name} value`);
    expect(got.grads.length).toBe(ref.grads.length);
    got.grads.forEach((g, i) => expectClose(g, ref.grads[i], `${c.name} gradient of input ${i}`));
  });

  it('stridedSlice gradient equals a float64 re-computation', async () => {
    await useBackend('wasm');
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.stridedSlice(t, [0, 2], [4, 0], [2, -1]), tf.tensor2d([[1, 2], [3, 4]]))))(x);
    // Picks rows 0,2 and columns 2,1: weights land there, zeros elsewhere.
    expect(Array.from(g.dataSync())).toEqual([0, 2, 1, 0, 0, 0, 0, 4, 3, 0, 0, 0]);
  });
});
