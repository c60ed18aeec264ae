import { contextRange } from './context-range';
import type { Range } from './types';

/** Relation candidates of one document: span-index pairs and their localized contexts. */
export interface InferencePairs {
  /** [head, tail] indices into the document's candidate span list. */
  pairs: Array<[number, number]>;
  /** Wordpiece context range per pair ([0, 0] when empty). */
  contexts: Range[];
}

/**
 * Every ordered pair (i, j), i != j, of the kept spans, in the reference's order (kept indices
 * ascending, head-major): m kept spans give m(m-1) candidates.
 */
export function buildInferencePairs(options: { keptSpans: readonly number[]; spanRanges: readonly Range[] }): InferencePairs {
  const kept = [...options.keptSpans].sort((a, b) => a - b);
  for (const k of kept) {
    if (!Number.isInteger(k) || k < 0 || k >= options.spanRanges.length) {
      throw new Error(`buildInferencePairs: kept span ${k} is not one of the ${options.spanRanges.length} candidates`);
    }
  }
  const pairs: Array<[number, number]> = [];
  const contexts: Range[] = [];
  for (const i of kept) {
    for (const j of kept) {
      if (i === j) continue;
      pairs.push([i, j]);
      contexts.push(contextRange(options.spanRanges[i], options.spanRanges[j]));
    }
  }
  return { pairs, contexts };
}
