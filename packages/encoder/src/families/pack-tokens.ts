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
  /**
   * Each sentence's token count when its tokens are a prefix of its row (right padding, as every
   * collate of this project builds), so the packed rows are whole sentences one after another;
   * undefined otherwise or when not packing.
   */
  lengths?: number[];
}

/** Token counts per row of a [B, T] mask whose ones are a prefix of each row, else undefined. */
function prefixLengths(mask: ArrayLike<number>, B: number, T: number): number[] | undefined {
  const lengths: number[] = [];
  for (let b = 0; b < B; b++) {
    let L = 0;
    while (L < T && mask[b * T + L] !== 0) L++;
    for (let t = L; t < T; t++) if (mask[b * T + t] !== 0) return undefined;
    if (L === 0) return undefined;
    lengths.push(L);
  }
  return lengths;
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
  const [B, T] = attentionMask.shape;
  const lengths = prefixLengths(mask, B, T);
  if (n === mask.length) return { pack: (t) => t, unpack: (t) => t, lengths };
  const rows = new Int32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) {
    if (mask[i] !== 0) rows[k++] = i;
  }
  const rowIds = tf.tensor1d(rows, 'int32');
  const scatterIds = tf.tensor2d(rows, [n, 1], 'int32');
  const gatherRows = (t: tf.Tensor, ids: tf.Tensor) => tf.gather(t, ids) as tf.Tensor2D;
  const scatterRows = (t: tf.Tensor, ids: tf.Tensor) => tf.scatterND(ids, t, [mask.length, hidden]) as tf.Tensor2D;
  // Each is the other's gradient: one kernel each way. Built from ops, unpack was a concat of a
  // zero row and a gather, its gradient a dense scatter-add and a split; pack's gradient a dense
  // scatter-add (UnsortedSegmentSum) into zeros. The index tensors are saved for the backward
  // pass, which runs after the caller's tidy has released them.
  const pack = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[1] as tf.GradSaveFunc)([scatterIds]);
    return { value: gatherRows(args[0] as tf.Tensor, rowIds), gradFunc: (dy: tf.Tensor | tf.Tensor[], [ids]: tf.Tensor[]) => scatterRows(dy as tf.Tensor, ids) };
  });
  const unpack = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    (args[1] as tf.GradSaveFunc)([rowIds]);
    return { value: scatterRows(args[0] as tf.Tensor, scatterIds), gradFunc: (dy: tf.Tensor | tf.Tensor[], [ids]: tf.Tensor[]) => gatherRows(dy as tf.Tensor, ids) };
  });
  return {
    pack: (t) => pack(t) as tf.Tensor2D,
    unpack: (t) => unpack(t) as tf.Tensor2D,
    selection: { rows, total: mask.length },
    lengths,
  };
}
