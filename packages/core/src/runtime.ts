// The contract between the tensor-free pipeline (@spert/pipeline) and a runtime (TF.js,
// onnxruntime-node, onnxruntime-web, ...). A runtime only scores candidates: building them,
// filtering, pairing, thresholding and decoding are the pipeline's, written once.
import type { SpertSettings } from './model-settings';

/** A row-major int32 array with its shape. */
export interface IntArrayND {
  data: Int32Array;
  shape: number[];
}

/** One padded batch of encoded documents and their candidate spans, as typed arrays. */
export interface SpanScoringInput {
  /** [B, T] subword ids, 0 on padding. */
  inputIds: IntArrayND;
  /** [B, T] 1 on real subwords. */
  attentionMask: IntArrayND;
  /** [B, S, 2] subword [start, end) of every candidate span ([0, 0] on padding rows). */
  spanRanges: IntArrayND;
  /** [B, S] width in words of every candidate span (0 on padding rows). */
  spanWidths: IntArrayND;
}

/** Relation candidates over the documents of a scored batch. */
export interface PairScoringInput {
  /** [B, P, 2] head and tail indices into each document's candidate spans (padding rows [0, 0]). */
  pairs: IntArrayND;
  /** [B, P, 2] subword range strictly between the two spans, the localized context ([0, 0] when empty). */
  contexts: IntArrayND;
  /**
   * [B, S] predicted entity type (1..E; 0 for spans not kept) of every candidate span, given only
   * to models whose relation head reads entity types (spert.relation_entity_types "embedding").
   */
  spanTypes?: IntArrayND;
}

/** Classifier outputs over a batch: logits and their activation (softmax or sigmoid), row-major [B, N, C]. */
export interface BatchScores {
  logits: Float32Array;
  probs: Float32Array;
  shape: [number, number, number];
}

/** A batch the runtime has encoded: entity scores now, relation scores on request, over the same encoding. */
export interface ScoredBatch {
  /** Entity classifier logits and softmax over (none, entity types): [B, S, E+1]. */
  entities: BatchScores;
  /** Scores relation candidates: logits and sigmoid per relation type, [B, P, R]. */
  scorePairs(input: PairScoringInput): Promise<BatchScores>;
  /** Frees what the runtime kept for the batch (encoder states); called once, also after errors. */
  dispose(): void | Promise<void>;
}

/** A SpERT runtime: encoder + heads behind typed arrays. */
export interface SpertRuntime {
  /** Types, span size, threshold and pair chunking of the model. */
  readonly settings: SpertSettings;
  /** Encodes a batch and scores its candidate spans, keeping the encoding for {@link ScoredBatch.scorePairs}. */
  scoreSpans(input: SpanScoringInput): Promise<ScoredBatch>;
}
