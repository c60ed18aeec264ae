import type { SpecialIds } from '@spert/tokenizer';
import { IGNORE_LABEL, maskForEpoch } from './mask';

/** What a batch needs of a store: its sequences by index (a SequenceStore, or an array in tests). */
export interface SequenceSource {
  /** The sequence at `index`: its length, subword ids and the word index of each subword. */
  get(index: number): { length: number; ids: ArrayLike<number>; wordIds: ArrayLike<number> };
}

/** Options of {@link maskedBatch}. */
export interface MaskedBatchOptions {
  store: SequenceSource;
  /** Sequence indices of the batch, in batch order. */
  indices: readonly number[];
  epoch: number;
  seed: number;
  specialIds: SpecialIds;
  vocabSize: number;
  maskProbability?: number;
  wholeWord?: boolean;
  /** Columns of the batch (default: the longest sequence of the batch); must hold every sequence. */
  sequenceLength?: number;
}

/** A padded masked-LM batch as flat row-major typed arrays of batchSize x sequenceLength. */
export interface MaskedBatch {
  batchSize: number;
  sequenceLength: number;
  /** Masked input ids, padded with the pad id. */
  inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  attentionMask: Int32Array;
  /** Original ids at the chosen positions, IGNORE_LABEL (-100) elsewhere and in padding. */
  labels: Int32Array;
  /** Flat indices (row x sequenceLength + column) of the labelled positions, ascending. */
  maskedPositions: Int32Array;
  /** The labels at those positions (labels[maskedPositions[k]]), for a loss over those rows only. */
  maskedLabels: Int32Array;
  /** Real (non-padding) tokens, special tokens included: for tokens per second. */
  realTokens: number;
}

/**
 * Reads the batch's sequences and masks each with {@link maskForEpoch} (seed, epoch, its index), so
 * a sequence's masks depend on neither the batch it is in nor its place there, then pads them into
 * typed arrays. `maskedPositions` lets a model compute the vocabulary product only where a token is
 * predicted.
 */
export function maskedBatch(options: MaskedBatchOptions): MaskedBatch {
  const { store, indices } = options;
  if (indices.length === 0) throw new RangeError('a batch needs at least one sequence index');
  const sequences = indices.map((i) => store.get(i));
  const longest = Math.max(...sequences.map((s) => s.length));
  const T = options.sequenceLength ?? longest;
  if (!Number.isInteger(T) || T < longest) throw new RangeError(`sequenceLength ${T} cannot hold the batch's longest sequence (${longest} tokens)`);
  const B = sequences.length;
  const inputIds = new Int32Array(B * T).fill(options.specialIds.pad);
  const attentionMask = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(IGNORE_LABEL);
  const positions: number[] = [];
  let realTokens = 0;
  sequences.forEach((seq, b) => {
    const masked = maskForEpoch({
      ids: seq.ids,
      wordIds: seq.wordIds,
      length: seq.length,
      specialIds: options.specialIds,
      vocabSize: options.vocabSize,
      maskProbability: options.maskProbability,
      wholeWord: options.wholeWord,
      seed: options.seed,
      epoch: options.epoch,
      index: indices[b],
    });
    const row = b * T;
    inputIds.set(masked.inputIds, row);
    labels.set(masked.labels, row);
    attentionMask.fill(1, row, row + seq.length);
    realTokens += seq.length;
    for (let t = 0; t < seq.length; t++) if (masked.labels[t] !== IGNORE_LABEL) positions.push(row + t);
  });
  const maskedPositions = Int32Array.from(positions);
  const maskedLabels = Int32Array.from(positions, (p) => labels[p]);
  return { batchSize: B, sequenceLength: T, inputIds, attentionMask, labels, maskedPositions, maskedLabels, realTokens };
}
