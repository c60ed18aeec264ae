import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { dropoutInto, type RowSelection } from '@spert/core';

export type { RowSelection };

// The kernel @spert/backend registers on wasm and cpu: x times the mask of dropoutInto, in one pass
// with no mask tensor. The mask is a function of (seed, element index), so the gradient is the same
// kernel on dy: nothing is saved for the backward pass.
const DROPOUT = 'SpertDropout';

/**
 * Inverted dropout (kept values scaled by 1 / (1 - rate)) whose mask is @spert/core's seeded
 * stream, word i for element i (dropoutInto): reproducible from one number on every backend. One
 * kernel each way where @spert/backend registered it (wasm, cpu), else a float32 mask tensor and a
 * multiply: the same bits either way. With `selection`, x holds only the given rows of a
 * [total, ...] tensor and gets the masks those rows have in the whole tensor (an encoder computing
 * real tokens only draws the masks of the padded computation).
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, seed: number, selection?: RowSelection): T {
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (x.dtype !== 'float32') throw new Error(`dropout: x must be float32, got ${x.dtype}`);
  if (selection && selection.rows.length !== (x.rank === 0 ? 1 : x.shape[0])) {
    throw new Error(`dropout: selection has ${selection.rows.length} rows, x has ${x.rank === 0 ? 1 : x.shape[0]}`);
  }
  if (rate === 0) return x.clone();
  const attrs = { rate, seed, rows: selection?.rows ?? null, total: selection?.total ?? 0 };
  if (tf.getKernel(DROPOUT, tf.getBackend()) == null) {
    const mask = new Float32Array(x.size).fill(1);
    dropoutInto(mask, mask, rate, seed, selection);
    return tf.mul(x, tf.tensor(mask, x.shape, 'float32')) as T;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.engine().runKernel(DROPOUT, { x: args[0] as tf.Tensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
    gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.engine().runKernel(DROPOUT, { x: dy as tf.Tensor }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
  }));
  return op(x) as T;
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
