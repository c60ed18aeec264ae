import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { gatherRows } from './gather-rows';
import { randomArray } from '../../../tools/testing/float64';

describe('gatherRows', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('equals tf.gather and scatter-adds its gradient (repeated indices accumulate)', () => {
    const table = tf.tensor2d(Float32Array.from(randomArray(12, 1)), [4, 3]);
    const idx = Int32Array.from([2, 0, 2, 3, 2]);
    expect(Array.from(gatherRows(table, idx).dataSync())).toEqual(Array.from(tf.gather(table, tf.tensor1d(idx, 'int32')).dataSync()));
    const w = tf.tensor2d(Float32Array.from(randomArray(15, 2)), [5, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, idx), w)))(table).arraySync() as number[][];
    const wv = w.arraySync();
    const want = [0, 1, 2].map((j) => [wv[1][j], 0, wv[0][j] + wv[2][j] + wv[4][j], wv[3][j]]);
    for (let r = 0; r < 4; r++) for (let j = 0; j < 3; j++) expect(g[r][j]).toBeCloseTo(want[j][r], 6);
  });

  it('rejects indices outside the table', () => {
    expect(() => gatherRows(tf.zeros([2, 2]) as tf.Tensor2D, Int32Array.from([0, 2]))).toThrow(/index 2 at 1 is outside \[0, 2\)/);
  });
});
