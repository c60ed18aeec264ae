import * as tf from '@tensorflow/tfjs-core';
import { sameBits } from '../../../tools/testing/float64';
import { isWrapped } from './wrap-kernel';
import { useBackend } from './use-backend';

// The wasm Sum over leading axes, summed in place, against the shipped kernel's own path (a sum
// over innermost axes of the transposed tensor, which the wrapper leaves to it): the same bits,
// for widths that reach the SIMD tail, keepDims, several leading axes and negative axis numbers.


describe('Sum (wasm) over leading axes', () => {
  beforeAll(async () => { await useBackend('wasm'); });
  afterAll(async () => { await useBackend('cpu'); });

  it('is installed', () => {
    expect(isWrapped(tf.Sum, 'wasm')).toBe(true);
  });

  it.each([[[37, 6], [0]], [[300, 257], [0]], [[5, 7, 9], [0, 1]], [[4, 3, 2, 5], [0]], [[2, 1], [-2]]] as const)('shape %j over axes %j equals the transposed innermost sum bit for bit', (shape, axis) => {
    const size = shape.reduce((a: number, d: number) => a * d, 1);
    // magnitudes over many orders, so that the order of additions shows in the bits
    const x = tf.tensor(Float32Array.from({ length: size }, (_, i) => Math.sin(i * 1.7) * 10 ** ((i % 7) - 3)), [...shape]);
    const lead = axis.map((a) => (a < 0 ? a + shape.length : a));
    const perm = [...shape.keys()].filter((d) => !lead.includes(d)).concat(lead);
    const inner = lead.map((_, k) => shape.length - lead.length + k);
    for (const keepDims of [false, true]) {
      const got = tf.sum(x, [...axis], keepDims);
      const want = tf.sum(tf.transpose(x, perm), inner);
      expect(got.shape).toEqual(keepDims ? shape.map((d, i) => (lead.includes(i) ? 1 : d)) : shape.filter((_, i) => !lead.includes(i)));
      expect(sameBits(got.dataSync() as Float32Array, want.dataSync() as Float32Array)).toBe(true);
      tf.dispose([got, want]);
    }
    x.dispose();
  });

  it('leaves other reductions to the shipped kernel', () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(tf.sum(x, 1).dataSync())).toEqual([6, 15]);
    expect(Array.from(tf.sum(tf.cast(x, 'int32'), 0).dataSync())).toEqual([5, 7, 9]);
    expect(Array.from(tf.sum(x).dataSync())).toEqual([21]);
    expect(Array.from(tf.sum(tf.zeros([0, 3]), 0).dataSync())).toEqual([0, 0, 0]);
    x.dispose();
  });
});
