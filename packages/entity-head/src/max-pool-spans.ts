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
    // Sparse table: level k holds, per position t, the max of h[t .. t + 2^k) and where it is;
    // a range is then the larger of two (overlapping) windows, O(1) per output element.
    const vals: Float32Array[] = [x];
    const where: Int32Array[] = [Int32Array.from({ length: x.length }, (_, k) => k)];
    for (let k = 1; 1 << k <= longest; k++) {
      const half = 1 << (k - 1);
      const pv = vals[k - 1];
      const pw = where[k - 1];
      const v = new Float32Array(x.length);
      const w = new Int32Array(x.length);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t + (1 << k) <= T; t++) {
          const o = (b * T + t) * H;
          const o2 = o + half * H;
          for (let j = 0; j < H; j++) {
            // strict > keeps the earlier position on ties, like torch's max
            if (pv[o2 + j] > pv[o + j]) {
              v[o + j] = pv[o2 + j];
              w[o + j] = pw[o2 + j];
            } else {
              v[o + j] = pv[o + j];
              w[o + j] = pw[o + j];
            }
          }
        }
      }
      vals.push(v);
      where.push(w);
    }
    const out = new Float32Array(B * S * H);
    const argmax = new Int32Array(B * S * H).fill(-1);
    for (let i = 0; i < B * S; i++) {
      const start = data[2 * i];
      const len = data[2 * i + 1] - start;
      if (len === 0) continue;
      const k = 31 - Math.clz32(len);
      const v = vals[k];
      const w = where[k];
      const rowBase = Math.floor(i / S) * T;
      const a = (rowBase + start) * H;
      const c = (rowBase + start + len - (1 << k)) * H;
      const o = i * H;
      for (let j = 0; j < H; j++) {
        const useRight = v[c + j] > v[a + j];
        out[o + j] = useRight ? v[c + j] : v[a + j];
        argmax[o + j] = useRight ? w[c + j] : w[a + j];
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

/** The hidden state at position 0 ([CLS]) of each sequence: [B,T,H] -> [B,H]. */
export function clsVectors(hidden: tf.Tensor3D): tf.Tensor2D {
  const [B, , H] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
}
