import type { RelationContext } from '@spert/core';
import type { Range } from './types';
import { SpertError } from '@spert/core';

/**
 * Wordpiece range strictly between two spans (the reference's `create_rel_mask`): [a.end,
 * b.start) when a ends before b starts, else [b.end, a.start). Adjacent, overlapping and nested
 * spans leave nothing between them and give the empty range [0, 0].
 */
export function contextRange(a: Range, b: Range): Range {
  const forward = a[1] < b[0];
  const start = forward ? a[1] : b[1];
  const end = forward ? b[0] : a[0];
  return end > start ? [start, end] : [0, 0];
}

/**
 * The wordpieces of the whole sentence: from the first word's first wordpiece to the last word's
 * end, so [CLS] and [SEP] stay outside; [0, 0] for a document without words.
 */
export function sentenceRange(wordRanges: ReadonlyArray<readonly [number, number]>): Range {
  if (wordRanges.length === 0) return [0, 0];
  const start = wordRanges[0][0];
  const end = wordRanges[wordRanges.length - 1][1];
  return end > start ? [start, end] : [0, 0];
}

/**
 * The wordpiece range whose max-pool is a pair's relation context, for every context variant, so
 * that the heads and graphs only ever max-pool a given range: 'localized' = {@link contextRange};
 * 'sentence' = `sentence` (see {@link sentenceRange}); 'cls' = [0, 1), the [CLS] position alone
 * (a max over one position is that vector); 'none' = [0, 0], which pools to zeros.
 */
export function relationContextRange(mode: RelationContext, a: Range, b: Range, sentence: Range): Range {
  switch (mode) {
    case 'localized':
      return contextRange(a, b);
    case 'sentence':
      return [sentence[0], sentence[1]];
    case 'cls':
      return [0, 1];
    case 'none':
      return [0, 0];
    default:
      throw new SpertError('INVALID_OPTION', `relationContextRange: unknown relation context ${JSON.stringify(mode as unknown)}; expected localized, sentence, cls or none`);
  }
}
