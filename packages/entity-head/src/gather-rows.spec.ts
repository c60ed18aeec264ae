import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { dropout } from './dropout';
import { gatherRows } from './gather-rows';
import { linearOverParts } from './linear-over-parts';
import { randomArray } from './test-utils';

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

describe('dropout', () => {
  it('zeroes about `rate` of the elements, scales the rest by 1/(1-rate), and is reproducible per seed', () => {
    const x = tf.ones([100, 100]);
    const a = dropout(x, 0.1, 7).dataSync();
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(zeros).toBeGreaterThan(0.09);
    expect(zeros).toBeLessThan(0.11);
    for (const v of a) if (v !== 0) expect(v).toBeCloseTo(1 / 0.9, 6);
    expect(Array.from(dropout(x, 0.1, 7).dataSync())).toEqual(Array.from(a));
    expect(Array.from(dropout(x, 0.1, 8).dataSync())).not.toEqual(Array.from(a));
    expect(Array.from(dropout(x, 0, 7).dataSync()).every((v) => v === 1)).toBe(true);
    expect(() => dropout(x, 1, 7)).toThrow(/rate must be in \[0, 1\)/);
  });
});

describe('linearOverParts', () => {
  it('equals a linear layer on the concatenation (<= 1e-6), with gradients to every part and the weight', () => {
    const parts = [
      tf.tensor2d(Float32Array.from(randomArray(10, 3)), [5, 2]),
      tf.tensor2d(Float32Array.from(randomArray(15, 4)), [5, 3]),
      tf.tensor2d(Float32Array.from(randomArray(5, 5)), [5, 1]),
    ];
    const weight = tf.tensor2d(Float32Array.from(randomArray(24, 6)), [4, 6]);
    const bias = tf.tensor1d(Float32Array.from(randomArray(4, 7)));
    const concat = tf.add(tf.matMul(tf.concat(parts, 1), weight, false, true), bias);
    const ours = linearOverParts(parts, weight, bias);
    expect(tf.max(tf.abs(tf.sub(ours, concat))).dataSync()[0]).toBeLessThanOrEqual(1e-6);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(linearOverParts([a, b, c] as tf.Tensor2D[], w as tf.Tensor2D, bias)));
    const g = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.add(tf.matMul(tf.concat([a, b, c], 1), w, false, true), bias)));
    const ga = tf.grads(f)([...parts, weight]);
    const gb = tf.grads(g)([...parts, weight]);
    ga.forEach((t, i) => expect(tf.max(tf.abs(tf.sub(t, gb[i]))).dataSync()[0]).toBeLessThanOrEqual(1e-5));
    expect(() => linearOverParts(parts.slice(1), weight, bias)).toThrow(/parts have 4 columns, the weight expects 6/);
  });
});
