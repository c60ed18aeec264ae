import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './use-backend';

// The one-pass UnsortedSegmentSum kernels (wasm: missing upstream; cpu: quadratic upstream) against
// a float64 re-computation; ids outside [0, numSegments) are dropped. Tolerance 1e-6 absolute
// (sums of at most 3 float32 values of magnitude < 10).

describe('unsortedSegmentSum kernels', () => {
  const ids = [3, 0, 3, -1, 5, 1, 3];
  const x = Array.from({ length: ids.length * 2 * 3 }, (_, i) => Math.sin(i) * 7);

  function reference(numSegments: number): number[] {
    const out = new Array(numSegments * 6).fill(0);
    ids.forEach((id, i) => {
      if (id < 0 || id >= numSegments) return;
      for (let j = 0; j < 6; j++) out[id * 6 + j] += Math.fround(x[i * 6 + j]);
    });
    return out;
  }

  it.each(['wasm', 'cpu'] as const)('matches float64 on %s, dropping out-of-range ids', async (backend) => {
    await useBackend(backend);
    const got = tf.unsortedSegmentSum(tf.tensor3d(x, [ids.length, 2, 3]), tf.tensor1d(ids, 'int32'), 5);
    expect(got.shape).toEqual([5, 2, 3]);
    const ref = reference(5);
    Array.from(got.dataSync()).forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-6));
  });

  it('keeps int32 data exact on wasm', async () => {
    await useBackend('wasm');
    const got = tf.unsortedSegmentSum(tf.tensor1d([2 ** 29 + 1, 5, 2 ** 29], 'int32'), tf.tensor1d([1, 0, 1], 'int32'), 2);
    expect(got.dtype).toBe('int32');
    // 2^30 + 1 is not a float32: a float round trip would lose the 1.
    expect(Array.from(got.dataSync())).toEqual([5, 2 ** 30 + 1]);
  });
});
