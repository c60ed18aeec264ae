import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
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

interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

// Module-level aliases: inside a vm context (jest) a global lookup in a hot loop is ~100x a local read.
const fround = Math.fround;
const floor = Math.floor;

/** Rows of a larger tensor that a smaller one holds (ascending row indices into `total` rows). */
export interface RowSelection {
  /** Row indices into the larger tensor, ascending, one per row of the smaller one. */
  rows: Int32Array;
  /** Rows of the larger tensor. */
  total: number;
}

/**
 * tf.dropout(x, rate, undefined, seed) bit for bit, faster: the same uniforms (seedrandom's alea
 * seeded with String(seed), as tfjs's randomUniform does) and the same float32 rounding of
 * floor(u + keep) / keep, but drawn in one loop over the generator's state instead of a generator
 * object call per element, and applied in one multiply instead of randomUniform, add, floor, div
 * and mul (2-3 ms of a 256x4 SpERT training step on wasm). Models trained with tf.dropout keep
 * their exact masks. With `selection`, x holds only the given rows of a [total, ...] tensor (an
 * encoder computing real tokens only) and gets the masks tf.dropout draws for those rows of the
 * whole tensor, so leaving padding rows out changes no mask.
 */
export function tfjsDropout<T extends tf.Tensor>(x: T, rate: number, seed: number, selection?: RowSelection): T {
  if (x.dtype !== 'float32') throw new Error(`tfjsDropout: x must be float32, got ${x.dtype}`);
  if (!(rate >= 0 && rate < 1)) throw new Error(`tfjsDropout: rate must be in [0, 1), got ${rate}`);
  const rows = selection?.rows;
  const inner = x.rank === 0 ? 1 : x.size / x.shape[0];
  if (selection && (rows!.length !== (x.rank === 0 ? 1 : x.shape[0]) || rows!.some((r, i) => r < 0 || r >= selection.total || (i > 0 && r <= rows![i - 1])))) {
    throw new Error(`tfjsDropout: selection must be ${x.shape[0]} ascending rows in [0, ${selection.total}), one per row of x`);
  }
  if (rate === 0) return x.clone();
  let { c, s0, s1, s2 } = seedrandom.alea(String(seed), { state: true }).state() as AleaState;
  const keep = fround(1 - rate);
  // floor(u + keep) is 0, 1 or (u rounded up to 1 with keep rounded to 1) 2
  const scaled = [0, fround(1 / keep), fround(2 / keep)];
  const mask = new Float32Array(x.size);
  const total = selection ? selection.total * inner : x.size;
  // next kept row and where its values start in the mask; every row of the whole tensor draws
  let next = 0;
  let at = 0;
  for (let i = 0; i < total; ) {
    const keepRow = !rows || rows[next] === i / inner;
    for (const end = i + inner; i < end; i++) {
      // alea's step (seedrandom lib/alea.js)
      const t = 2091639 * s0 + c * 2.3283064365386963e-10;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      if (keepRow) mask[at++] = scaled[floor(fround(fround(s2) + keep))];
    }
    if (keepRow) next++;
  }
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32')) as T;
}
