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
    // Sparse table: level k >= 1 holds, per position t, the max of h[t .. t + 2^k) and where it
    // is (level 0 is x itself, each element its own position); a range is then the larger of two
    // (overlapping) windows, O(1) per output element. The levels live in one scratch buffer
    // reused across calls (a step pools several times; fresh arrays per level were most of the
    // cost, in allocation and garbage collection).
    const levels = longest > 1 ? 31 - Math.clz32(longest) : 0;
    const { vals, where } = scratch(levels * n);
    for (let k = 1; k <= levels; k++) {
      const half = (1 << (k - 1)) * H;
      const to = (k - 1) * n;
      const from = (k - 2) * n;
      for (let b = 0; b < B; b++) {
        const first = b * T * H;
        const last = (b * T + T - (1 << k)) * H;
        for (let o = first; o <= last + H - 1; o++) {
          const o2 = o + half;
          // strict > keeps the earlier position on ties, like torch's max
          if (k === 1) {
            const right = x[o2] > x[o];
            vals[to + o] = right ? x[o2] : x[o];
            where[to + o] = right ? o2 : o;
          } else {
            const right = vals[from + o2] > vals[from + o];
            vals[to + o] = right ? vals[from + o2] : vals[from + o];
            where[to + o] = right ? where[from + o2] : where[from + o];
          }
        }
      }
    }
    const out = new Float32Array(B * S * H);
    const argmax = new Int32Array(B * S * H).fill(-1);
    for (let i = 0; i < B * S; i++) {
      const start = data[2 * i];
      const len = data[2 * i + 1] - start;
      if (len === 0) continue;
      const rowBase = Math.floor(i / S) * T;
      const a = (rowBase + start) * H;
      const o = i * H;
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
        const useRight = vals[lv + c + j] > vals[lv + a + j];
        out[o + j] = useRight ? vals[lv + c + j] : vals[lv + a + j];
        argmax[o + j] = useRight ? where[lv + c + j] : where[lv + a + j];
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

let scratchVals = new Float32Array(0);
let scratchWhere = new Int32Array(0);

// The sparse table's levels: grown as needed, never shrunk (a few MB at most for SpERT's sizes).
function scratch(size: number): { vals: Float32Array; where: Int32Array } {
  if (scratchVals.length < size) {
    scratchVals = new Float32Array(size);
    scratchWhere = new Int32Array(size);
  }
  return { vals: scratchVals, where: scratchWhere };
}

/** The hidden state at position 0 ([CLS]) of each sequence: [B,T,H] -> [B,H]. */
export function clsVectors(hidden: tf.Tensor3D): tf.Tensor2D {
  const [B, , H] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
}
