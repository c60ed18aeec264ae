import type { PredictedDocument, ScoredEntity, ScoredRelation, TripleFilter, TypesSchema } from '@spert/core';
import { filterSpans, toRows } from './filter-spans';
import type { Range } from '@spert/span-sampler';
import { decodeRelations } from './decode-relations';
import { internalError } from '@spert/core';

/** Options of {@link buildPrediction}: plain arrays, so the TF.js and ONNX paths share it. */
export interface BuildPredictionOptions {
  /** The document's words. */
  tokens: string[];
  /** Candidate spans in word coordinates, end exclusive, in the reference's order (`enumerateSpans`). */
  spans: readonly Range[];
  /** Entity softmax probabilities [S, E+1] (index 0 = none), row-major or as rows. */
  entityProbs: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /** Kept candidate indices (default: `filterSpans` of `entityProbs`). */
  keptSpans?: readonly number[];
  /** [head, tail] candidate indices of the scored pairs, in scoring order. */
  pairs: ReadonlyArray<readonly [number, number]>;
  /** Relation sigmoid probabilities [P, R], row-major or as rows. */
  relationProbs: ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;
  /** Types schema: class indices, names and symmetric flags. */
  types: TypesSchema;
  /** Relation threshold (reference: 0.4). */
  threshold?: number;
  /** Per relation type, in class-index order: thresholds replacing `threshold` (see {@link relationDecoding}). */
  thresholds?: ArrayLike<number>;
  /** Allowed (head type, relation, tail type) triples; others are not emitted (see {@link decodeRelations}). */
  constraints?: TripleFilter;
  /** Copied to the output when given. */
  origId?: string | number;
  /** Given entities as [candidate index, type index 1..E]: kept with that type and score 1, marked `given`. */
  given?: ReadonlyArray<readonly [number, number]>;
}

function typeName<T extends { index: number; key: string }>(list: readonly T[], index: number, what: string): string {
  const t = list.find((x) => x.index === index);
  if (!t) throw internalError(`buildPrediction: no ${what} type with index ${index} in the types schema`);
  return t.key;
}

/**
 * Turns model outputs into a predicted document as the reference's `store_predictions`: kept
 * spans in candidate order, stably sorted by start (so same-start entities go shorter first);
 * relations with head/tail indices into that list, stably sorted by head; scores kept.
 */
export function buildPrediction(options: BuildPredictionOptions): PredictedDocument {
  const { spans, types } = options;
  const numClasses = types.entities.length + 1;
  const { flat, rows } = toRows(options.entityProbs, numClasses, 'buildPrediction entityProbs');
  if (rows !== spans.length) throw internalError(`buildPrediction: ${rows} entity probability rows for ${spans.length} spans`);
  spans.forEach(([s, e], i) => {
    if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e > s && e <= options.tokens.length)) {
      throw internalError(`buildPrediction: span ${i} [${s}, ${e}) is not inside the ${options.tokens.length} tokens`);
    }
  });
  const argmax = filterSpans({ probs: flat, numClasses });
  const entityTypes = new Int32Array(spans.length);
  const entityScores = new Float64Array(spans.length);
  argmax.indices.forEach((s, k) => {
    entityTypes[s] = argmax.types[k];
    entityScores[s] = argmax.scores[k];
  });
  const given = new Set<number>();
  for (const [s, type] of options.given ?? []) {
    if (!(Number.isInteger(s) && s >= 0 && s < spans.length)) throw new Error(`buildPrediction: given span ${s} is not one of the ${spans.length} candidates`);
    if (!(Number.isInteger(type) && type >= 1 && type < numClasses)) throw new Error(`buildPrediction: given span ${s} has entity type index ${type}, outside 1..${numClasses - 1}`);
    given.add(s);
    entityTypes[s] = type;
    entityScores[s] = 1;
  }
  const kept = options.keptSpans ? [...options.keptSpans].sort((a, b) => a - b) : argmax.indices;
  for (const s of kept) {
    if (!(s >= 0 && s < spans.length)) throw internalError(`buildPrediction: kept span ${s} is not one of the ${spans.length} candidates`);
    if (entityTypes[s] === 0) throw internalError(`buildPrediction: kept span ${s} has "none" as its most probable type`);
  }
  const order = kept.map((s, k) => ({ s, k })).sort((a, b) => spans[a.s][0] - spans[b.s][0] || a.k - b.k);
  const position = new Map<number, number>();
  const entities: ScoredEntity[] = order.map(({ s }, i) => {
    position.set(s, i);
    const entity: ScoredEntity = { type: typeName(types.entities, entityTypes[s], 'entity'), start: spans[s][0], end: spans[s][1], score: entityScores[s] };
    if (given.has(s)) entity.given = true;
    return entity;
  });

  const decoded = decodeRelations({
    pairs: options.pairs,
    relationProbs: options.relationProbs,
    numRelationTypes: types.relations.length,
    spans,
    entityTypes,
    symmetric: [...types.relations].sort((a, b) => a.index - b.index).map((r) => r.symmetric),
    threshold: options.threshold,
    thresholds: options.thresholds,
    constraints: options.constraints,
  });
  const relations: ScoredRelation[] = decoded.map((r) => {
    const head = position.get(r.head);
    const tail = position.get(r.tail);
    if (head === undefined || tail === undefined) {
      throw internalError(`buildPrediction: a relation links span ${position.has(r.head) ? r.tail : r.head}, which is not a kept entity`);
    }
    return { type: typeName(types.relations, r.type, 'relation'), head, tail, score: r.score };
  });
  relations.sort((a, b) => a.head - b.head);
  const doc: PredictedDocument = { tokens: options.tokens.slice(), entities, relations };
  if (options.origId !== undefined) doc.orig_id = options.origId;
  return doc;
}
