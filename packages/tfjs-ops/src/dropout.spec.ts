import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { dropout } from './dropout';

beforeAll(async () => {
  await useBackend('cpu');
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
