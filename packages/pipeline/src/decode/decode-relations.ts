import type { TripleFilter } from '@spert/core';
import { toRows } from './filter-spans';
import type { Range } from '@spert/span-sampler';
import { internalError } from '@spert/core';

/** One predicted relation between two candidate spans. */
export interface DecodedRelation {
  /** Head span index (into the candidate list). */
  head: number;
  /** Tail span index. */
  tail: number;
  /** Relation type index, 1..R. */
  type: number;
  /** Sigmoid probability. */
  score: number;
}

/** Options of {@link decodeRelations}. */
export interface DecodeRelationsOptions {
  /** [head, tail] candidate-span indices per scored pair, in scoring order. */
  pairs: ReadonlyArray<readonly [number, number]>;
  /** Sigmoid probabilities [P, R], row-major or as rows. */
  relationProbs: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /** R (needed when `relationProbs` is flat). */
  numRelationTypes?: number;
  /** Candidate spans (any coordinates where earlier start = earlier in the text). */
  spans: readonly Range[];
  /** Predicted entity type index per candidate span (the entity classifier's argmax). */
  entityTypes: ArrayLike<number>;
  /** Per relation type index 1..R (at position type - 1): whether it is symmetric. */
  symmetric: readonly boolean[];
  /** Keep (pair, type) iff probability >= threshold (reference: 0.4). */
  threshold?: number;
  /** Per relation type (at position type - 1): its own threshold, replacing `threshold` (tuned on a development set). */
  thresholds?: ArrayLike<number>;
  /**
   * The relation_type_constraints table: a (head entity type, relation, tail entity type) it does
   * not allow is never emitted; a symmetric relation is allowed when either direction is.
   */
  constraints?: TripleFilter;
}

/**
 * Thresholds relation probabilities as the reference's `_convert_pred_relations`: multi-label
 * per pair, symmetric types turned so that the span starting first is the head, duplicates
 * (same head span/type, tail span/type and relation type) dropped keeping the first score.
 */
export function decodeRelations(options: DecodeRelationsOptions): DecodedRelation[] {
  const threshold = options.threshold ?? 0.4;
  const { pairs, spans, entityTypes, symmetric, thresholds, constraints } = options;
  const { flat, rows, cols } = toRows(options.relationProbs, options.numRelationTypes ?? symmetric.length, 'decodeRelations');
  if (rows !== pairs.length) throw internalError(`decodeRelations: ${rows} probability rows for ${pairs.length} pairs`);
  if (cols !== symmetric.length) throw internalError(`decodeRelations: ${cols} relation types in the probabilities, ${symmetric.length} symmetric flags`);
  if (thresholds && thresholds.length !== cols) throw internalError(`decodeRelations: ${thresholds.length} per-type thresholds for ${cols} relation types`);
  const seen = new Set<string>();
  const out: DecodedRelation[] = [];
  pairs.forEach(([h0, t0], p) => {
    for (const s of [h0, t0]) {
      if (!Number.isInteger(s) || s < 0 || s >= spans.length) throw internalError(`decodeRelations: pair ${p} points at span ${s}, outside the ${spans.length} candidates`);
    }
    for (let r = 0; r < cols; r++) {
      const score = flat[p * cols + r];
      // The reference zeroes values below the threshold and keeps the non-zero ones.
      if (!(score >= (thresholds ? thresholds[r] : threshold)) || score === 0) continue;
      if (constraints && !allowed(constraints, entityTypes[h0], r + 1, entityTypes[t0], symmetric[r])) continue;
      let head = h0;
      let tail = t0;
      if (symmetric[r] && spans[tail][0] < spans[head][0]) [head, tail] = [tail, head];
      const key = `${spans[head]}|${entityTypes[head]}|${spans[tail]}|${entityTypes[tail]}|${r}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ head, tail, type: r + 1, score });
    }
  });
  return out;
}

function allowed(constraints: TripleFilter, head: number, relation: number, tail: number, symmetric: boolean): boolean {
  return constraints.allows(head, relation, tail) || (symmetric && constraints.allows(tail, relation, head));
}
