import type { Range } from './types';
import { SpertError } from '@spert/core';

/**
 * All word spans [start, end) of width 1..maxSpanSize that fit in numWords words, outer loop
 * over width and inner over start: the reference's candidate order, which decoding relies on.
 */
export function enumerateSpans(numWords: number, maxSpanSize = 10): Range[] {
  if (!Number.isInteger(numWords) || numWords < 0) {
    throw new SpertError('INVALID_INPUT', `enumerateSpans: numWords must be a non-negative integer, got ${numWords}`);
  }
  if (!Number.isInteger(maxSpanSize) || maxSpanSize < 1) {
    throw new SpertError('INVALID_OPTION', `enumerateSpans: maxSpanSize must be a positive integer, got ${maxSpanSize}`);
  }
  const spans: Range[] = [];
  for (let width = 1; width <= Math.min(maxSpanSize, numWords); width++) {
    for (let start = 0; start + width <= numWords; start++) spans.push([start, start + width]);
  }
  return spans;
}
