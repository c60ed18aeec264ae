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
