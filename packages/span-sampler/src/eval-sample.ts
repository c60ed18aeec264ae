import type { EncodedDocument } from '@spert/core';
import { enumerateSpans } from './enumerate-spans';
import type { SpanSample } from './types';
import { wordSpanToWordpieces } from './wordpiece-range';

/** Options of {@link createEvalSample}. */
export interface EvalSampleOptions {
  /** The document's wordpiece encoding (one range per word). */
  encoding: EncodedDocument;
  /** Longest candidate span in words (reference: 10). */
  maxSpanSize?: number;
  /** R, so that the sample collates with training samples (pairs come later, after filtering). */
  numRelationTypes?: number;
}

/** Builds an inference sample: every candidate span (reference order) with ranges and widths. */
export function createEvalSample(options: EvalSampleOptions): SpanSample {
  const { encoding } = options;
  const spanWords = enumerateSpans(encoding.wordRanges.length, options.maxSpanSize ?? 10);
  return {
    inputIds: encoding.inputIds.slice(),
    spanWords,
    spanRanges: spanWords.map((s) => wordSpanToWordpieces(encoding.wordRanges, s)),
    spanWidths: spanWords.map((s) => s[1] - s[0]),
    spanLabels: spanWords.map(() => 0),
    pairs: [],
    pairContexts: [],
    pairLabels: [],
    numRelationTypes: options.numRelationTypes ?? 0,
  };
}
