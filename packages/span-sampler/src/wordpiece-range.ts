import type { Range } from './types';
import { SpertError } from '@spert/core';

/** Maps a word span [ws, we) to its wordpiece range [wordRanges[ws][0], wordRanges[we-1][1]). */
export function wordSpanToWordpieces(wordRanges: ReadonlyArray<readonly [number, number]>, span: Range): Range {
  const [ws, we] = span;
  if (!Number.isInteger(ws) || !Number.isInteger(we) || ws < 0 || we <= ws || we > wordRanges.length) {
    throw new SpertError('INVALID_INPUT',
      `wordSpanToWordpieces: word span [${ws}, ${we}) is not a non-empty span of a ${wordRanges.length}-word document`,
    );
  }
  return [wordRanges[ws][0], wordRanges[we - 1][1]];
}
