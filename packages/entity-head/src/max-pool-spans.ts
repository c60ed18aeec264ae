import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc } from '@tensorflow/tfjs-core';
import type { IntInput } from '@spert/tfjs-ops';
import { readSpanRanges } from './span-ranges';

/**
 * Element-wise max of hidden states over each wordpiece range [start, end): [B,T,H] x [B,S,2]
 * -> [B,S,H]; an empty range (start == end: padding rows, adjacent/overlapping relation
 * arguments) gives zeros. Memory is O(B*S*H), not the reference's B*S*T*H (issue #22): the max
 * and its argmax come from a sparse table over the positions, and the gradient (a tf.customGrad)
 * sends each output element's gradient to its argmax position only, as torch's max does (first
 * position on ties). Both passes are plain loops over typed arrays, which is also why no
 * backend needs a scatter kernel (tfjs-cpu's UnsortedSegmentSum, used by gather's gradient, is
 * O(segments x rows) and took minutes at BERT sizes).
 */
export function maxPoolSpans(hidden: tf.Tensor3D, ranges: IntInput): tf.Tensor3D {
  const { data, B, T, H, S } = readSpanRanges(hidden, ranges, 'maxPoolSpans');
  let longest = 0;
  for (let i = 0; i < B * S; i++) longest = Math.max(longest, data[2 * i + 1] - data[2 * i]);
  const pool = tf.customGrad((...inputs: Array<tf.Tensor | GradSaveFunc>) => {
    const x = (inputs[0] as tf.Tensor).dataSync() as Float32Array;
    const n = x.length;
    // Sparse table: level k >= 1 holds, per position t, where the max of h[t .. t + 2^k) is
    // (level 0: each element is its own); a range is then the larger of two (overlapping)
    // windows, O(1) per output element. The levels live in one scratch buffer reused across calls
    // (a step pools several times; fresh arrays per level were most of the cost, in allocation
    // and garbage collection).
    const levels = longest > 1 ? 31 - Math.clz32(longest) : 0;
    const { where } = scratch(levels * n);
    // Selections are branch-free (the comparison picks a position; values are read from x there):
    // on real activations a branch per element mispredicts about half the time.
    for (let k = 1; k <= levels; k++) {
      const half = (1 << (k - 1)) * H;
      const to = (k - 1) * n;
      const from = (k - 2) * n;
      for (let b = 0; b < B; b++) {
        const first = b * T * H;
        const end = (b * T + T - (1 << k)) * H + H;
        for (let o = first; o < end; o++) {
          const o2 = o + half;
          // strict > keeps the earlier position on ties, like torch's max
          const wa = k === 1 ? o : where[from + o];
          const wc = k === 1 ? o2 : where[from + o2];
          const w = wa ^ ((wa ^ wc) & -Number(x[wc] > x[wa]));
          where[to + o] = w;
        }
      }
    }
    const out = new Float32Array(B * S * H);
    const argmax = new Int32Array(B * S * H);
    for (let i = 0; i < B * S; i++) {
      const start = data[2 * i];
      const len = data[2 * i + 1] - start;
      const o = i * H;
      if (len === 0) {
        argmax.fill(-1, o, o + H);
        continue;
      }
      const rowBase = Math.floor(i / S) * T;
      const a = (rowBase + start) * H;
      if (len === 1) {
        for (let j = 0; j < H; j++) {
          out[o + j] = x[a + j];
          argmax[o + j] = a + j;
        }
        continue;
      }
      const k = 31 - Math.clz32(len);
      const c = (rowBase + start + len - (1 << k)) * H;
      const lv = (k - 1) * n;
      for (let j = 0; j < H; j++) {
        const wa = where[lv + a + j];
        const wc = where[lv + c + j];
        const w = wa ^ ((wa ^ wc) & -Number(x[wc] > x[wa]));
        argmax[o + j] = w;
        out[o + j] = x[w];
      }
    }
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const g = dy.dataSync();
      const dh = new Float32Array(B * T * H);
      for (let k = 0; k < argmax.length; k++) if (argmax[k] >= 0) dh[argmax[k]] += g[k];
      return tf.tensor3d(dh, [B, T, H]);
    };
    return { value: tf.tensor3d(out, [B, S, H]), gradFunc };
  });
  return pool(hidden) as tf.Tensor3D;
}

let scratchWhere = new Int32Array(0);

// The sparse table's levels (positions only: values are read from x): grown as needed, never
// shrunk (a few MB at most for SpERT's sizes).
function scratch(size: number): { where: Int32Array } {
  if (scratchWhere.length < size) scratchWhere = new Int32Array(size);
  return { where: scratchWhere };
}

/** The hidden state at position 0 ([CLS]) of each sequence: [B,T,H] -> [B,H]. */
export function clsVectors(hidden: tf.Tensor3D): tf.Tensor2D {
  const [B, , H] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
}
