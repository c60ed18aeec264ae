/** A half-open [start, end) range of integer positions (words or wordpieces). */
export type Range = [number, number];

/**
 * One document prepared for the model: candidate spans (with labels when training) and relation
 * pairs (with multi-hot labels when training). All arrays of one group have the same length.
 */
export interface SpanSample {
  /** Wordpiece ids of the document ([CLS] ... [SEP]), unpadded. */
  inputIds: number[];
  /** Per span: its word range [start, end) (JSON coordinates). */
  spanWords: Range[];
  /** Per span: its wordpiece range [start, end) (model coordinates). */
  spanRanges: Range[];
  /** Per span: its width in words (1..maxSpanSize); indexes the width embedding. */
  spanWidths: number[];
  /** Per span: entity type index (0 = none); all 0 for evaluation samples. */
  spanLabels: number[];
  /** Per relation sample: [head, tail] indices into this sample's span list. */
  pairs: Array<[number, number]>;
  /** Per relation sample: wordpiece range strictly between the two spans ([0, 0] when empty). */
  pairContexts: Range[];
  /** Per relation sample: multi-hot target over the R relation types (index r-1 for type r). */
  pairLabels: number[][];
  /** R, the number of relation types (the length of every `pairLabels` row). */
  numRelationTypes: number;
}

/** A row-major typed array with its shape, ready for `tf.tensor(data, shape, dtype)`. */
export interface ShapedArray<T extends Int32Array | Float32Array> {
  data: T;
  shape: number[];
}

/**
 * A padded batch of B samples: T = longest sequence, S = most spans, P = most pairs (S, P >= 1:
 * a sample without spans or pairs gets a dummy row with mask 0). Padding rows have mask 0,
 * width 0, range [0, 0] and label 0.
 */
export interface SpanBatch {
  batchSize: number;
  /** [B, T] wordpiece ids, 0 on padding. */
  inputIds: ShapedArray<Int32Array>;
  /** [B, T] 1 on real wordpieces. */
  attentionMask: ShapedArray<Int32Array>;
  /** [B, S, 2] wordpiece [start, end) of each span. */
  spanRanges: ShapedArray<Int32Array>;
  /** [B, S] width in words (0 only on padding). */
  spanWidths: ShapedArray<Int32Array>;
  /** [B, S] entity type index (0 = none). */
  spanLabels: ShapedArray<Int32Array>;
  /** [B, S] 1 for real span samples. */
  spanMask: ShapedArray<Int32Array>;
  /** [B, P, 2] head/tail indices into the sample's span list. */
  pairIndices: ShapedArray<Int32Array>;
  /** [B, P, 2] wordpiece [start, end) of the localized context ([0, 0] when empty). */
  pairContexts: ShapedArray<Int32Array>;
  /** [B, P, R] multi-hot relation targets. */
  pairLabels: ShapedArray<Float32Array>;
  /** [B, P] 1 for real relation samples. */
  pairMask: ShapedArray<Int32Array>;
  /** Per sample: its span word ranges (to map predictions back to words). */
  spanWords: Range[][];
}
