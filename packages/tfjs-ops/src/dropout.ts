import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spert/core';

/**
 * Inverted dropout (kept values scaled by 1 / (1 - rate)) with a mask drawn in a typed array from
 * the raw 32-bit words of @spert/core's seeded generator: reproducible from one number on every
 * backend, and fast on tfjs-cpu, whose scalar-broadcast kernels (used by tf.dropout) take a slow
 * per-element path.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number): T {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x.clone();
  const next = createRng(seed).uint32;
  const keep = 1 / (1 - rate);
  const threshold = rate * 4294967296;
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = next() >= threshold ? keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
}
