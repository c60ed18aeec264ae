import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { clsVectors, maxPoolSpans } from './max-pool-spans';
import { maxPool64, randomArray, centralDifferences } from '../../../tools/testing/float64';

const B = 2;
const T = 12;
const H = 3;
// single, lengths 2..7 (non powers of two too), the whole sequence, and empty ranges
const ranges = [
  [[1, 2], [1, 3], [2, 5], [3, 7], [0, 12], [4, 4], [5, 10], [2, 9]],
  [[6, 7], [0, 0], [1, 12], [7, 9], [10, 12], [3, 4], [11, 12], [1, 8]],
];
const hiddenData = randomArray(B * T * H, 11);

describe('maxPoolSpans', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('equals the float64 max over each range, zeros for empty ranges', () => {
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const pooled = maxPoolSpans(hidden, tf.tensor3d(ranges, [B, 8, 2], 'int32'));
    expect(pooled.shape).toEqual([B, 8, H]);
    const out = pooled.arraySync();
    const h32 = hidden.dataSync();
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < 8; s++) {
        const want = maxPool64(h32, T, H, b, ranges[b][s][0], ranges[b][s][1]);
        for (let j = 0; j < H; j++) expect(Math.abs(out[b][s][j] - want[j])).toBeLessThanOrEqual(1e-7);
      }
    }
    expect(out[0][5]).toEqual([0, 0, 0]);
    expect(out[1][1]).toEqual([0, 0, 0]);
  });

  it('accepts typed arrays with a shape, and negative maxima stay negative (no clipping at 0)', () => {
    const hidden = tf.tensor3d([[[-3, -1], [-2, -5], [-4, -4]]]);
    const pooled = maxPoolSpans(hidden, { data: Int32Array.from([1, 3, 0, 1]), shape: [1, 2, 2] });
    expect(pooled.arraySync()).toEqual([[[-2, -4], [-3, -1]]]);
  });

  it('pools overlapping and nested ranges independently', () => {
    const hidden = tf.tensor3d([[[1], [5], [2], [7], [3], [0]]]);
    const pooled = maxPoolSpans(hidden, tf.tensor3d([[[0, 3], [2, 5], [1, 6], [2, 3], [4, 6]]], undefined, 'int32'));
    expect(Array.from(pooled.dataSync())).toEqual([5, 7, 7, 2, 3]);
  });

  it('has the gradient of the max (checked by float64 finite differences)', () => {
    const flatRanges = { data: Int32Array.from(ranges.flat(2)), shape: [B, 8, 2] };
    const weights = randomArray(B * 8 * H, 5);
    const f64 = (h: ArrayLike<number>): number => {
      let s = 0;
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < 8; k++) {
          const p = maxPool64(h, T, H, b, ranges[b][k][0], ranges[b][k][1]);
          for (let j = 0; j < H; j++) s += p[j] * weights[(b * 8 + k) * H + j];
        }
      }
      return s;
    };
    const w = tf.tensor3d(Float32Array.from(weights), [B, 8, H]);
    const grad = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(maxPoolSpans(h as tf.Tensor3D, flatRanges), w)));
    const g = grad(tf.tensor3d(Float32Array.from(hiddenData), [B, T, H])).dataSync();
    const fd = centralDifferences(f64, hiddenData);
    for (let i = 0; i < hiddenData.length; i++) expect(Math.abs(g[i] - fd[i])).toBeLessThan(1e-5);
  });

  it('sends the gradient of a tie to the first position only, and zero gradient through empty ranges', () => {
    const hidden = tf.tensor3d([[[0], [2], [1], [2], [5]]]);
    const g = tf.grad((h: tf.Tensor) => tf.sum(maxPoolSpans(h as tf.Tensor3D, { data: [0, 4, 1, 4, 2, 2], shape: [1, 3, 2] })))(hidden);
    expect(Array.from(g.dataSync())).toEqual([0, 2, 0, 0, 0]);
  });

  it('leaves no tensors behind', () => {
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const before = tf.memory().numTensors;
    const g = tf.grad((h: tf.Tensor) => tf.sum(maxPoolSpans(h as tf.Tensor3D, { data: ranges.flat(2), shape: [B, 8, 2] })))(hidden);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same values on the wasm backend', async () => {
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const cpu = maxPoolSpans(hidden, { data: ranges.flat(2), shape: [B, 8, 2] }).dataSync();
    await useBackend('wasm');
    try {
      const h = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
      const wasm = maxPoolSpans(h, { data: ranges.flat(2), shape: [B, 8, 2] }).dataSync();
      expect(Array.from(wasm)).toEqual(Array.from(cpu));
    } finally {
      await useBackend('cpu');
    }
  });

  it('rejects ranges outside the sequence or of the wrong shape', () => {
    const hidden = tf.zeros([1, 4, 2]) as tf.Tensor3D;
    expect(() => maxPoolSpans(hidden, { data: [2, 5], shape: [1, 1, 2] })).toThrow(/\[2, 5\) at batch 0, span 0/);
    expect(() => maxPoolSpans(hidden, { data: [3, 2], shape: [1, 1, 2] })).toThrow(/not inside/);
    expect(() => maxPoolSpans(hidden, { data: [0, 1], shape: [2, 1, 1] })).toThrow(/ranges must be \[1,S,2\]/);
  });

  it('takes [CLS] at position 0', () => {
    const hidden = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(clsVectors(hidden).arraySync()).toEqual([[1, 2], [5, 6]]);
  });
});
