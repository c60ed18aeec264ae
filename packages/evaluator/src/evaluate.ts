import type { Document, EntityType, RelationType, TypesSchema } from '@spert/core';
import { precisionRecallFscoreSupport } from './prfs';
import type { EntityTuple, RelationTuple } from './tuples';
import { documentTuples, entityKey, relationKey, removeOverlapping } from './tuples';
import { SpertError } from '@spert/core';

/** Scores of one type or one average, in percent (0..100) as the reference reports them. */
export interface Scores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of distinct gold items (for averages: the total over the listed types). */
  support: number;
}

/** Scores of one type, with the type's key, short name and class index. */
export interface TypeScores extends Scores {
  type: string;
  short: string;
  index: number;
}

/** The result of one evaluation setting (NER, relations without NEC, relations with NEC). */
export interface SettingResult {
  /** Types occurring in gold or predictions (the reference's label set), in the requested order. */
  perType: TypeScores[];
  micro: Scores;
  macro: Scores;
}

/** The reference's three evaluations. */
export interface EvaluationResult {
  /** Entities: span and type must match. */
  ner: SettingResult;
  /** Relations without NEC: relation type and both spans (entity types ignored). */
  rel: SettingResult;
  /** Relations with NEC: relation type, both spans and both entity types. */
  relNec: SettingResult;
}

/** Parameters of {@link evaluate}. */
export interface EvaluateParams {
  gold: Document[];
  predicted: Document[];
  types: TypesSchema;
  /** The reference's `no_overlapping` (ADE "without overlap"): applied to gold and predictions. */
  noOverlapping?: boolean;
  /**
   * Order of the per-type rows, which is also the order macro averages are summed in (it can
   * change their last bit). Default: class-index order. The reference iterates a Python set,
   * whose order depends on the process's string-hash seed; list type keys to reproduce a run.
   */
  order?: TypeOrder;
}

/** Type keys in the order to list (and sum) them; unlisted types follow in class-index order. */
export interface TypeOrder {
  entities?: string[];
  relations?: string[];
}

// The reference replaces entity types by this pseudo type for the "without NEC" setting.
const PSEUDO_ENTITY: EntityType = { key: 'Entity', index: 1, short: 'Entity', verbose: 'Entity' };

type Typed = { index: number; key: string; short: string };

function score<T>(gold: T[][], pred: T[][], keyOf: (t: T) => string, typeOf: (t: T) => Typed, order: string[] = []): SettingResult {
  const goldFlat: number[] = [];
  const predFlat: number[] = [];
  const seenTypes = new Map<number, Typed>();
  gold.forEach((g, d) => {
    // a set per document, as the reference's union of tuple sets: duplicates count once
    const goldMap = new Map(g.map((t) => [keyOf(t), t]));
    const predMap = new Map(pred[d].map((t) => [keyOf(t), t]));
    const union = new Map([...goldMap, ...predMap]);
    for (const [k, t] of union) {
      const type = typeOf(t);
      const inGold = goldMap.has(k);
      const inPred = predMap.has(k);
      goldFlat.push(inGold ? type.index : 0);
      predFlat.push(inPred ? type.index : 0);
      seenTypes.set(type.index, type);
    }
  });
  const rank = (key: string): number => (order.includes(key) ? order.indexOf(key) : order.length);
  const types = [...seenTypes.values()].sort((a, b) => rank(a.key) - rank(b.key) || a.index - b.index);
  const { perLabel, micro, macro } = precisionRecallFscoreSupport(goldFlat, predFlat, types.map((t) => t.index));
  const pct = (m: { precision: number; recall: number; f1: number; support: number }): Scores => ({
    precision: m.precision * 100,
    recall: m.recall * 100,
    f1: m.f1 * 100,
    support: m.support,
  });
  return {
    perType: types.map((t, i) => ({ type: t.key, short: t.short, index: t.index, ...pct(perLabel[i]) })),
    micro: pct(micro),
    macro: pct(macro),
  };
}

function checkAligned(gold: Document[], predicted: Document[]): void {
  if (gold.length !== predicted.length) {
    throw new SpertError('INVALID_INPUT', `gold has ${gold.length} documents but predictions have ${predicted.length}: they must be aligned one to one`);
  }
  gold.forEach((g, d) => {
    const p = predicted[d];
    if (g.tokens.length !== p.tokens.length || g.tokens.some((t, i) => t !== p.tokens[i])) {
      const i = g.tokens.findIndex((t, k) => t !== p.tokens[k]);
      throw new SpertError('INVALID_INPUT',
        `document ${d}: gold and predicted tokens differ ` +
          (i >= 0 && i < p.tokens.length ? `at word ${i} (${JSON.stringify(g.tokens[i])} vs ${JSON.stringify(p.tokens[i])})` : `in length (${g.tokens.length} vs ${p.tokens.length} words)`),
      );
    }
  });
}

/**
 * Scores predictions against gold exactly as the reference's evaluator does: per document the
 * union of gold and predicted tuples, labels flattened over documents, sklearn micro/macro
 * over the types present in gold or predictions, zero_division=0, in percent.
 */
export function evaluate(params: EvaluateParams): EvaluationResult {
  const { gold, predicted, types } = params;
  checkAligned(gold, predicted);
  const convert = (docs: Document[], label: string): Array<{ entities: EntityTuple[]; relations: RelationTuple[] }> =>
    docs.map((doc, d) => {
      const t = documentTuples(doc, types, `${label} document ${d}`);
      return params.noOverlapping ? removeOverlapping(t.entities, t.relations) : t;
    });
  const g = convert(gold, 'gold');
  const p = convert(predicted, 'predicted');
  const withoutTypes = (r: RelationTuple): RelationTuple => ({
    head: { ...r.head, type: PSEUDO_ENTITY },
    tail: { ...r.tail, type: PSEUDO_ENTITY },
    type: r.type,
  });
  const relType = (r: RelationTuple): RelationType => r.type;
  return {
    ner: score(g.map((x) => x.entities), p.map((x) => x.entities), entityKey, (e) => e.type, params.order?.entities),
    rel: score(g.map((x) => x.relations.map(withoutTypes)), p.map((x) => x.relations.map(withoutTypes)), relationKey, relType, params.order?.relations),
    relNec: score(g.map((x) => x.relations), p.map((x) => x.relations), relationKey, relType, params.order?.relations),
  };
}
