import * as tf from '@tensorflow/tfjs-core';
import type { RowSelection } from '@spert/tfjs-ops';

/** A padded batch's token rows: how to keep only them, and how to lay them out padded again. */
export interface PackedTokens {
  /** [B*T, H] -> [N, H]: the rows that hold tokens (unchanged when nothing is padding). */
  pack(t: tf.Tensor2D): tf.Tensor2D;
  /** [N, H] -> [B*T, H] with zero rows at padding (unchanged when nothing is padding). */
  unpack(t: tf.Tensor2D): tf.Tensor2D;
  /** Which rows of [B*T, H] the packed rows are; undefined when nothing is padding. */
  selection?: RowSelection;
}

/**
 * The rows of a [B*T, H] activation that hold tokens under `attentionMask` [B, T]. Token-wise
 * layers (projections, feed-forward, norms, dropout) then skip padding: batches of two CoNLL04
 * sentences are 23% padding (wordpieces, random pairs), and training spent that share of its
 * products on it. Only attention needs the padded layout. Call inside a tidy: the index tensors
 * are the caller's. With `skip` false it keeps every row (pack and unpack are the identity).
 */
export function packTokens(attentionMask: tf.Tensor2D, hidden: number, skip = true): PackedTokens {
  if (!skip) return { pack: (t) => t, unpack: (t) => t };
  const mask = attentionMask.dataSync();
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  if (n === mask.length) return { pack: (t) => t, unpack: (t) => t };
  const rows = new Int32Array(n);
  const back = new Int32Array(mask.length);
  for (let i = 0, k = 0; i < mask.length; i++) {
    if (mask[i] !== 0) {
      rows[k] = i;
      back[i] = k++;
    } else {
      back[i] = n; // the zero row appended by unpack
    }
  }
  const rowIds = tf.tensor1d(rows, 'int32');
  const backIds = tf.tensor1d(back, 'int32');
  const zero = tf.zeros([1, hidden]);
  return {
    pack: (t) => tf.gather(t, rowIds) as tf.Tensor2D,
    unpack: (t) => tf.gather(tf.concat([t, zero]), backIds) as tf.Tensor2D,
    selection: { rows, total: mask.length },
  };
}
