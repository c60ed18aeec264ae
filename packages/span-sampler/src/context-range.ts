import type { Range } from './types';

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
