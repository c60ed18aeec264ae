import * as tf from '@tensorflow/tfjs-core';
import { seedStream } from '@spert/core';

/**
 * Inverted dropout (kept values scaled by 1 / (1 - rate)) with a mask drawn from a seeded
 * mulberry32 stream in a typed array: reproducible from one number on every backend, and fast on
 * tfjs-cpu, whose scalar-broadcast kernels (used by tf.dropout) take a slow per-element path.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x.clone();
  const next = seedStream(seed);
  const keep = 1 / (1 - rate);
  const threshold = rate * 4294967296;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = next() >= threshold ? keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
}
