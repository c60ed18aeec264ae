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
  /**
   * Spans wider than `maxSpanSize` to score as well (given entities), appended after the
   * enumerated candidates in the order given; widths up to 99 words (the width embedding's rows).
   */
  extraSpans?: ReadonlyArray<readonly [number, number]>;
}

/** Builds an inference sample: every candidate span (reference order) with ranges and widths. */
export function createEvalSample(options: EvalSampleOptions): SpanSample {
  const { encoding } = options;
  const maxSpanSize = options.maxSpanSize ?? 10;
  const spanWords = enumerateSpans(encoding.wordRanges.length, maxSpanSize);
  for (const [s, e] of options.extraSpans ?? []) {
    if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e > s && e <= encoding.wordRanges.length)) {
      throw new RangeError(`extra span [${s}, ${e}) is not inside the document's ${encoding.wordRanges.length} words`);
    }
    if (e - s >= 100) throw new RangeError(`extra span [${s}, ${e}) is ${e - s} words wide; the width embedding has 100 rows (widths up to 99)`);
    if (e - s > maxSpanSize && !spanWords.some(([a, b]) => a === s && b === e)) spanWords.push([s, e]);
  }
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
