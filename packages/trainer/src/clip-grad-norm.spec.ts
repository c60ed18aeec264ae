import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { clipGradNorm, clipScale, globalGradNorm } from './clip-grad-norm';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('clipGradNorm', () => {
  it('scales all gradients by max_norm / (norm + 1e-6) when the global norm is too large', () => {
    const a = [3, 0, -4];
    const b = [[12]];
    const grads = new Map<string, tf.Tensor>([['a', tf.tensor1d(a)], ['b', tf.tensor2d(b)]]);
    const old = [...grads.values()];
    const { totalNorm, scale } = clipGradNorm(grads, 1.0);
    expect(totalNorm).toBeCloseTo(13, 5); // sqrt(9 + 16 + 144)
    expect(scale).toBeCloseTo(1 / (13 + 1e-6), 9);
    expect(old.every((t) => t.isDisposed)).toBe(true);
    const ga = grads.get('a')?.dataSync() as Float32Array;
    a.forEach((v, i) => expect(ga[i]).toBeCloseTo(v / (13 + 1e-6), 6));
    expect(grads.get('b')?.dataSync()[0]).toBeCloseTo(12 / 13, 6);
    expect(globalGradNorm(grads.values())).toBeCloseTo(1, 5);
    grads.forEach((t) => t.dispose());
  });

  it('leaves gradients alone below the limit', () => {
    const g = tf.tensor1d([0.3, 0.4]);
    const grads = new Map([['g', g]]);
    const { totalNorm, scale } = clipGradNorm(grads, 1.0);
    expect(totalNorm).toBeCloseTo(0.5, 6);
    expect(scale).toBe(1);
    expect(grads.get('g')).toBe(g);
    expect(g.isDisposed).toBe(false);
    g.dispose();
  });

  it('clipScale follows torch (coefficient applied only when < 1)', () => {
    expect(clipScale(1, 1)).toBeCloseTo(1 / (1 + 1e-6), 12);
    expect(clipScale(0.999, 1)).toBe(1);
    expect(clipScale(0, 1)).toBe(1);
    expect(globalGradNorm([])).toBe(0);
  });

  it('leaks no tensors', () => {
    const grads = new Map([['g', tf.tensor1d([30, 40])]]);
    const before = tf.memory().numTensors;
    clipGradNorm(grads, 1);
    expect(tf.memory().numTensors).toBe(before);
    grads.forEach((t) => t.dispose());
  });
});

describe('globalGradNorm on wasm (fused sums of squares)', () => {
  // The fused path sums squares in float64 (wasmSumSquares) and roots in float64: within float64
  // rounding of the exact norm over gradient-like tensors of very different sizes (some above the
  // size at which the engine shares the arrays out over its threads), within float32 rounding of
  // what the tf ops give (Square, Sum, AddN, Sqrt, sequential float32).
  it('equals the float64 norm and the tf ops within float32 rounding', async () => {
    await useBackend('wasm');
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.02;
    const sizes = [1, 3, 256, 1000, 70_000, 17, 262_144, 65_536, 5, 100_003];
    const grads = sizes.map((n) => tf.tensor1d(Float32Array.from({ length: n }, rand)));
    try {
      const ops = tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))).dataSync()[0]);
      let f64 = 0;
      for (const g of grads) for (const v of g.dataSync()) f64 += v * v;
      const norm = globalGradNorm(grads);
      expect(Math.abs(norm - Math.sqrt(f64))).toBeLessThan(1e-13 * norm);
      // (sequential float32 over 500k squares drifts by about 1e-5 relative)
      expect(Math.abs(norm - ops)).toBeLessThan(1e-4 * ops);
      const part = grads.slice(4, 7);
      const partExact = Math.sqrt(part.reduce((a, g) => a + Array.from(g.dataSync()).reduce((b, v) => b + v * v, 0), 0));
      expect(Math.abs(globalGradNorm(part) - partExact)).toBeLessThan(1e-13 * partExact);
    } finally {
      tf.dispose(grads);
      await useBackend('cpu');
    }
  });
});
