import type { RelationContext } from '@spert/core';
import { relationContextRange } from './context-range';
import type { Range } from './types';
import { SpertError, internalError } from '@spert/core';

/** Relation candidates of one document: span-index pairs and their context ranges. */
export interface InferencePairs {
  /** [head, tail] indices into the document's candidate span list. */
  pairs: Array<[number, number]>;
  /** Wordpiece context range per pair ([0, 0] when empty). */
  contexts: Range[];
}

/** Options of {@link buildInferencePairs}. */
export interface InferencePairsOptions {
  keptSpans: readonly number[];
  spanRanges: readonly Range[];
  /** The model's relation context (default 'localized', the reference). */
  relationContext?: RelationContext;
  /** The document's whole-sentence wordpiece range (`sentenceRange(encoding.wordRanges)`); needed for 'sentence'. */
  sentence?: Range;
}

/**
 * Every ordered pair (i, j), i != j, of the kept spans, in the reference's order (kept indices
 * ascending, head-major): m kept spans give m(m-1) candidates, each with its context range.
 */
export function buildInferencePairs(options: InferencePairsOptions): InferencePairs {
  const kept = [...options.keptSpans].sort((a, b) => a - b);
  for (const k of kept) {
    if (!Number.isInteger(k) || k < 0 || k >= options.spanRanges.length) {
      throw internalError(`buildInferencePairs: kept span ${k} is not one of the ${options.spanRanges.length} candidates`);
    }
  }
  const mode = options.relationContext ?? 'localized';
  if (mode === 'sentence' && options.sentence === undefined) {
    throw new SpertError('INVALID_INPUT', "buildInferencePairs: relationContext 'sentence' needs the document's sentence range (sentenceRange(encoding.wordRanges))");
  }
  const sentence = options.sentence ?? [0, 0];
  const pairs: Array<[number, number]> = [];
  const contexts: Range[] = [];
  for (const i of kept) {
    for (const j of kept) {
      if (i === j) continue;
      pairs.push([i, j]);
      contexts.push(relationContextRange(mode, options.spanRanges[i], options.spanRanges[j], sentence));
    }
  }
  return { pairs, contexts };
}
