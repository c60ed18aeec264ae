import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { maxPoolSpans } from './max-pool-spans';
import { poolSpans, sumPoolSpans } from './pool-spans';
import { randomArray, centralDifferences } from '../../../tools/testing/float64';

const B = 2;
const T = 12;
const H = 3;
// single, lengths 2..7, the whole sequence, and empty ranges
const ranges = [
  [[1, 2], [1, 3], [2, 5], [3, 7], [0, 12], [4, 4], [5, 10], [2, 9]],
  [[6, 7], [0, 0], [1, 12], [7, 9], [10, 12], [3, 4], [11, 12], [1, 8]],
];
const flatRanges = { data: Int32Array.from(ranges.flat(2)), shape: [B, 8, 2] };
const hiddenData = randomArray(B * T * H, 11);

/** Float64 sum (or mean) over hidden[b, start..end) of a [B,T,H] array, zeros when empty. */
function sumPool64(h: ArrayLike<number>, b: number, start: number, end: number, mean: boolean): number[] {
  const out = new Array<number>(H).fill(0);
  for (let t = start; t < end; t++) for (let j = 0; j < H; j++) out[j] += h[(b * T + t) * H + j];
  return end > start && mean ? out.map((v) => v / (end - start)) : out;
}

describe('sumPoolSpans / poolSpans', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each([false, true])('equals the float64 sum (mean: %s) over each range, zeros for empty ranges', (mean) => {
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const pooled = sumPoolSpans(hidden, tf.tensor3d(ranges, [B, 8, 2], 'int32'), { mean });
    expect(pooled.shape).toEqual([B, 8, H]);
    const out = pooled.arraySync();
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < 8; s++) {
        const want = sumPool64(hiddenData, b, ranges[b][s][0], ranges[b][s][1], mean);
        // one float32 rounding of a float64 result
        for (let j = 0; j < H; j++) expect(Math.abs(out[b][s][j] - want[j])).toBeLessThanOrEqual(Math.abs(want[j]) * 2 ** -23);
      }
    }
    expect(out[0][5]).toEqual([0, 0, 0]);
    expect(out[1][1]).toEqual([0, 0, 0]);
  });

  it('sums and averages exactly on small integers', () => {
    const hidden = tf.tensor3d([[[1, -2], [3, 4], [-5, 6], [7, 0]]]);
    const r = { data: [0, 2, 1, 4, 2, 2, 3, 4], shape: [1, 4, 2] };
    expect(poolSpans(hidden, r, 'sum').arraySync()).toEqual([[[4, 2], [5, 10], [0, 0], [7, 0]]]);
    expect(poolSpans(hidden, r, 'mean').arraySync()).toEqual([[[2, 1], [5 / 3, 10 / 3].map(Math.fround), [0, 0], [7, 0]]]);
    expect(poolSpans(hidden, r, 'max').arraySync()).toEqual(maxPoolSpans(hidden, r).arraySync());
    expect(poolSpans(hidden, r).arraySync()).toEqual(maxPoolSpans(hidden, r).arraySync());
    expect(() => poolSpans(hidden, r, 'median' as never)).toThrow(/unknown span pooling "median"/);
  });

  it.each([false, true])('has the gradient of the sum (mean: %s), checked by float64 finite differences', (mean) => {
    const weights = randomArray(B * 8 * H, 5);
    const f64 = (h: ArrayLike<number>): number => {
      let s = 0;
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < 8; k++) {
          const p = sumPool64(h, b, ranges[b][k][0], ranges[b][k][1], mean);
          for (let j = 0; j < H; j++) s += p[j] * weights[(b * 8 + k) * H + j];
        }
      }
      return s;
    };
    const w = tf.tensor3d(Float32Array.from(weights), [B, 8, H]);
    const grad = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(sumPoolSpans(h as tf.Tensor3D, flatRanges, { mean }), w)));
    const g = grad(tf.tensor3d(Float32Array.from(hiddenData), [B, T, H])).dataSync();
    const fd = centralDifferences(f64, hiddenData);
    for (let i = 0; i < hiddenData.length; i++) expect(Math.abs(g[i] - fd[i])).toBeLessThan(1e-5);
  });

  it('sends a mean\'s gradient 1/length to each position and nothing through empty ranges', () => {
    const hidden = tf.tensor3d([[[0], [2], [1], [2], [5]]]);
    const g = tf.grad((h: tf.Tensor) => tf.sum(sumPoolSpans(h as tf.Tensor3D, { data: [0, 4, 1, 3, 2, 2], shape: [1, 3, 2] }, { mean: true })))(hidden);
    expect(Array.from(g.dataSync())).toEqual([0.25, 0.75, 0.75, 0.25, 0]);
  });

  it('leaves no tensors behind', () => {
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const before = tf.memory().numTensors;
    const g = tf.grad((h: tf.Tensor) => tf.sum(sumPoolSpans(h as tf.Tensor3D, flatRanges, { mean: true })))(hidden);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same values on the wasm backend', async () => {
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const cpu = sumPoolSpans(hidden, flatRanges, { mean: true }).dataSync();
    await useBackend('wasm');
    try {
      const h = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
      expect(Array.from(sumPoolSpans(h, flatRanges, { mean: true }).dataSync())).toEqual(Array.from(cpu));
    } finally {
      await useBackend('cpu');
    }
  });

  it('rejects ranges outside the sequence, naming the pooling', () => {
    const hidden = tf.zeros([1, 4, 2]) as tf.Tensor3D;
    expect(() => sumPoolSpans(hidden, { data: [2, 5], shape: [1, 1, 2] })).toThrow(/sumPoolSpans: range \[2, 5\) at batch 0, span 0/);
    expect(() => sumPoolSpans(hidden, { data: [3, 2], shape: [1, 1, 2] }, { mean: true })).toThrow(/meanPoolSpans: range \[3, 2\).*not inside/);
  });
});
