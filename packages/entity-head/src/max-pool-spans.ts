import * as tf from '@tensorflow/tfjs-core';
import { spanMaxPool } from '@spert/backend';
import type { IntInput } from '@spert/tfjs-ops';
import { readSpanRanges } from './span-ranges';

/**
 * Element-wise max of hidden states over each wordpiece range [start, end): [B,T,H] x [B,S,2]
 * -> [B,S,H]; an empty range (start == end: padding rows, adjacent/overlapping relation
 * arguments) gives zeros. Memory is O(B*S*H), not the reference's B*S*T*H (issue #22): each
 * range is scanned for its maxima, and the gradient sends each output element's gradient to its
 * maximum's position only, as torch's max does (first position on ties). @spert/backend's
 * spanMaxPool: one kernel each way on wasm (SIMD) and cpu, typed-array loops elsewhere.
 */
export function maxPoolSpans(hidden: tf.Tensor3D, ranges: IntInput): tf.Tensor3D {
  const { data, S } = readSpanRanges(hidden, ranges, 'maxPoolSpans');
  return spanMaxPool(hidden, data instanceof Int32Array ? data : Int32Array.from(data), S);
}

/** The hidden state at position 0 ([CLS]) of each sequence: [B,T,H] -> [B,H]. */
export function clsVectors(hidden: tf.Tensor3D): tf.Tensor2D {
  const [B, , H] = hidden.shape;
  return tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
}
