import * as tf from '@tensorflow/tfjs-core';
import { erf } from '../../../tools/testing/float64';
import { gelu } from './gelu';
import { useBackend } from './use-backend';

// The fused GELU against the float64 exact GELU, value and gradient, on every backend path:
// wasm (SIMD kernel on the heap; lengths not divisible by 4 reach its tail), cpu (JS kernel) and
// the tfjs-ops composite used where no kernel is registered. Tolerance 2e-6 absolute + 2e-6
// relative: erf by Abramowitz & Stegun 7.1.26 is within 1.5e-7, exp and float32 rounding add
// a few ulps.

const gelu64 = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
const dgelu64 = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

const xs = [...Array.from({ length: 201 }, (_, i) => -10 + i * 0.1), -87, -30, 0, 1e-8, 30, 87, 3.14159];
const dys = xs.map((_, i) => ((i * 37) % 11) / 5 - 1);

function check(actual: ArrayLike<number>, expected: number[]): void {
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(2e-6 + 2e-6 * Math.abs(expected[i]));
  }
}

describe('gelu', () => {
  it.each(['wasm', 'cpu', 'cpu (tfjs ops)'] as const)('value and gradient match the float64 exact GELU on %s', async (which) => {
    await useBackend(which === 'wasm' ? 'wasm' : 'cpu');
    const removed = which === 'cpu (tfjs ops)' ? ['SpertGelu', 'SpertGeluGrad'].map((k) => tf.getKernel(k, 'cpu')!) : [];
    removed.forEach((k) => tf.unregisterKernel(k.kernelName, 'cpu'));
    try {
      const x = tf.tensor1d(xs);
      check(gelu(x).dataSync(), xs.map((v) => Math.fround(gelu64(Math.fround(v)))));
      const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gelu(t), tf.tensor1d(dys))))(x);
      check(dx.dataSync(), xs.map((v, i) => Math.fround(dys[i]) * dgelu64(Math.fround(v))));
      const before = tf.memory().numTensors;
      tf.tidy(() => { gelu(tf.ones([3, 5])); });
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      removed.forEach((k) => tf.registerKernel(k));
    }
  });
});
