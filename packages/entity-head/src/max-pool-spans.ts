import * as tf from '@tensorflow/tfjs-core';
import { type IntInput, readIntInput } from './int-input';

/**
 * Element-wise max of hidden states over each wordpiece range [start, end): [B,T,H] x [B,S,2]
 * -> [B,S,H]; an empty range (start == end, e.g. padding or an empty relation context) gives
 * zeros. Uses a sparse table (max over windows of 2^k positions, k < log2(longest range) + 1) and
 * two gathers per range, so memory is O(K*B*T*H + B*S*H) instead of the reference's B*S*T*H
 * (issue #22). Gradients flow to exactly one position per output element, as torch's max does.
 */
export function maxPoolSpans(hidden: tf.Tensor3D, ranges: IntInput): tf.Tensor3D {
  if (hidden.rank !== 3) throw new Error(`maxPoolSpans: hidden must be [B,T,H], got [${hidden.shape.join(', ')}]`);
  const [B, T, H] = hidden.shape;
  const { data, shape } = readIntInput(ranges, 'maxPoolSpans ranges', 3);
  if (shape[0] !== B || shape[2] !== 2) {
    throw new Error(`maxPoolSpans: ranges must be [${B},S,2] for hidden [${B},${T},${H}], got [${shape.join(', ')}]`);
  }
  const S = shape[1];
  if (S === 0) return tf.zeros([B, 0, H]);
  let longest = 0;
  for (let i = 0; i < B * S; i++) {
    const start = data[2 * i];
    const end = data[2 * i + 1];
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > T) {
      const b = Math.floor(i / S);
      throw new Error(`maxPoolSpans: range [${start}, ${end}) at batch ${b}, span ${i % S} is not inside [0, ${T})`);
    }
    longest = Math.max(longest, end - start);
  }
  const levels = longest > 0 ? Math.floor(Math.log2(longest)) + 1 : 1;
  const idxA = new Int32Array(B * S);
  const idxB = new Int32Array(B * S);
  const keep = new Float32Array(B * S);
  let anyEmpty = false;
  for (let i = 0; i < B * S; i++) {
    const start = data[2 * i];
    const len = data[2 * i + 1] - start;
    if (len === 0) {
      anyEmpty = true;
      continue;
    }
    const k = Math.floor(Math.log2(len));
    const base = k * B * T + Math.floor(i / S) * T;
    idxA[i] = base + start;
    idxB[i] = base + start + len - (1 << k);
    keep[i] = 1;
  }
  return tf.tidy(() => {
    // table[k][b][t] = max(hidden[b][t .. t + 2^k)); positions past T - 2^k are never read.
    const table: tf.Tensor3D[] = [hidden];
    for (let k = 1; k < levels; k++) {
      const half = 1 << (k - 1);
      const prev = table[k - 1];
      const shifted = tf.pad(tf.slice(prev, [0, half, 0], [B, T - half, H]), [[0, 0], [0, half], [0, 0]]);
      table.push(tf.maximum(prev, shifted));
    }
    const flat = tf.reshape(levels === 1 ? hidden : tf.concat(table, 0), [levels * B * T, H]);
    let pooled: tf.Tensor = tf.maximum(
      tf.gather(flat, tf.tensor1d(idxA, 'int32')),
      tf.gather(flat, tf.tensor1d(idxB, 'int32')),
    );
    if (anyEmpty) pooled = tf.mul(pooled, tf.tensor2d(keep, [B * S, 1]));
    return tf.reshape(pooled, [B, S, H]) as tf.Tensor3D;
  });
}

/** The hidden state at position 0 ([CLS]) of each sequence: [B,T,H] -> [B,H]. */
export function clsVectors(hidden: tf.Tensor3D): tf.Tensor2D {
  const [B, , H] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
}
