import { SpertError } from '@spert/core';
/** Spans the entity classifier keeps, with their predicted type and its probability. */
export interface FilteredSpans {
  /** Candidate indices, ascending (the reference's order). */
  indices: number[];
  /** Predicted type index (1..E) per kept span. */
  types: number[];
  /** Softmax probability of the predicted type per kept span. */
  scores: number[];
}

/** Options of {@link filterSpans}. */
export interface FilterSpansOptions {
  /** Entity probabilities [S, E+1] (or logits: the argmax is the same), row-major or as rows. */
  probs: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /** E + 1 (needed when `probs` is flat). */
  numClasses?: number;
  /** Optional [S] sample mask: spans with 0 are never kept (padding rows). */
  mask?: ArrayLike<number>;
}

/** Row-major view of flat or nested probabilities. */
export function toRows(
  probs: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>,
  numClasses: number | undefined,
  what: string,
): { flat: ArrayLike<number>; rows: number; cols: number } {
  if (probs.length > 0 && typeof probs[0] !== 'number') {
    const rows = probs as ReadonlyArray<ArrayLike<number>>;
    const cols = numClasses ?? rows[0].length;
    const flat = new Float64Array(rows.length * cols);
    rows.forEach((r, i) => {
      if (r.length !== cols) throw new SpertError('INVALID_INPUT', `${what}: row ${i} has ${r.length} values, expected ${cols}`);
      for (let c = 0; c < cols; c++) flat[i * cols + c] = r[c];
    });
    return { flat, rows: rows.length, cols };
  }
  const flat = probs as ArrayLike<number>;
  if (flat.length === 0) return { flat, rows: 0, cols: numClasses ?? 0 };
  if (!numClasses || flat.length % numClasses !== 0) {
    throw new SpertError('INVALID_INPUT', `${what}: a flat array of ${flat.length} values needs numClasses dividing it, got ${numClasses}`);
  }
  return { flat, rows: flat.length / numClasses, cols: numClasses };
}

/**
 * Keeps a span iff its argmax over (none, type 1..E) is not 0, as the reference's `_filter_spans`
 * (no threshold, no overlap resolution). Ties take the first index, like torch.argmax.
 */
export function filterSpans(options: FilterSpansOptions): FilteredSpans {
  const { flat, rows, cols } = toRows(options.probs, options.numClasses, 'filterSpans');
  if (options.mask && options.mask.length !== rows) {
    throw new SpertError('INVALID_INPUT', `filterSpans: mask has ${options.mask.length} entries for ${rows} spans`);
  }
  const out: FilteredSpans = { indices: [], types: [], scores: [] };
  for (let s = 0; s < rows; s++) {
    if (options.mask && !options.mask[s]) continue;
    let best = 0;
    for (let c = 1; c < cols; c++) if (flat[s * cols + c] > flat[s * cols + best]) best = c;
    if (best !== 0) {
      out.indices.push(s);
      out.types.push(best);
      out.scores.push(flat[s * cols + best]);
    }
  }
  return out;
}
