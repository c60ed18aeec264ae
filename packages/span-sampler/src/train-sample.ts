import type { Document, EncodedDocument, RelationContext, RelationNegatives, Rng, TripleFilter, TypesSchema } from '@spert/core';
import { relationContextRange, sentenceRange } from './context-range';
import { enumerateSpans } from './enumerate-spans';
import { normalizeSymmetricRelations } from './normalize-symmetric';
import { sampleWithoutReplacement } from './sample-without-replacement';
import type { Range, SpanSample } from './types';
import { wordSpanToWordpieces } from './wordpiece-range';
import { SpertError } from '@spert/core';

/** Options of {@link createTrainSample}. */
export interface TrainSampleOptions {
  /** Gold document (word coordinates). */
  document: Document;
  /** Its wordpiece encoding (one range per word). */
  encoding: EncodedDocument;
  /** Types schema: entity/relation class indices and symmetric flags. */
  types: TypesSchema;
  /** Seeded randomness for negative sampling (`createRng` of @spert/core). */
  rng: Rng;
  /** Most negative spans per document (reference: 100). */
  negEntityCount?: number;
  /** Most negative pairs per document (reference: 100), strong or weak. */
  negRelationCount?: number;
  /** 'strong' (default, the reference): negative pairs of gold entities only; 'weak': of any two spans of the sample. */
  relationNegatives?: RelationNegatives;
  /** The pairs' context ranges (default 'localized', the reference); see `relationContextRange`. */
  relationContext?: RelationContext;
  /** Longest candidate span in words (reference: 10; must stay below the width table's 100). */
  maxSpanSize?: number;
  /** Position of the document in its dataset, for error messages. */
  documentIndex?: number;
  /**
   * The relation_type_constraints switch in training: negative pairs whose (head type, tail type)
   * can carry a relation are drawn first, the others only to fill up `negRelationCount`.
   * Absent (the reference): one uniform draw, so the random stream is the reference's.
   */
  preferTypePairs?: Pick<TripleFilter, 'allowsPair'>;
}

const key = (r: Range): string => `${r[0]},${r[1]}`;

/**
 * Builds one training sample as the reference's `create_train_sample`: gold spans then sampled
 * negative spans; one multi-hot sample per gold ordered entity pair, then sampled negatives with
 * all-zero targets: strong (other ordered pairs of gold entities) or, for the paper's ablation,
 * weak (other ordered pairs of any two distinct spans of the sample, negative spans included).
 */
export function createTrainSample(options: TrainSampleOptions): SpanSample {
  const { encoding, types, rng } = options;
  const negEntityCount = options.negEntityCount ?? 100;
  const negRelationCount = options.negRelationCount ?? 100;
  const maxSpanSize = options.maxSpanSize ?? 10;
  const where = options.documentIndex === undefined ? 'document' : `document ${options.documentIndex}`;
  if (maxSpanSize >= 100) throw new SpertError('INVALID_OPTION', `${where}: maxSpanSize ${maxSpanSize} must be < 100 (width table size)`);
  const document = normalizeSymmetricRelations(options.document, types, options.documentIndex);
  const numWords = document.tokens.length;
  if (encoding.wordRanges.length !== numWords) {
    throw new SpertError('INVALID_INPUT',
      `${where}: encoding has ${encoding.wordRanges.length} word ranges but the document has ${numWords} tokens`,
    );
  }
  const entityIndex = new Map(types.entities.map((t) => [t.key, t.index]));
  const relationIndex = new Map(types.relations.map((t) => [t.key, t.index]));
  const R = types.relations.length;

  // Positive spans, in gold order; the reference identifies entities by span (first match wins).
  const goldWords: Range[] = document.entities.map((e, k) => {
    const type = entityIndex.get(e.type);
    if (type === undefined) throw new SpertError('INVALID_DATASET', `${where}, entities[${k}].type: unknown entity type "${e.type}"`);
    if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end <= e.start || e.end > numWords) {
      throw new SpertError('INVALID_DATASET', `${where}, entities[${k}]: span [${e.start}, ${e.end}) is outside the ${numWords} tokens`);
    }
    return [e.start, e.end];
  });
  const spanWords: Range[] = [...goldWords];
  const spanLabels = document.entities.map((e) => entityIndex.get(e.type) as number);
  const firstIndexOf = new Map<string, number>();
  goldWords.forEach((s, i) => {
    if (!firstIndexOf.has(key(s))) firstIndexOf.set(key(s), i);
  });

  // Positive pairs grouped by ordered (head, tail) entity, in first-occurrence order.
  const grouped = new Map<string, { head: number; tail: number; labels: number[] }>();
  document.relations.forEach((rel) => {
    const id = `${rel.head},${rel.tail}`;
    let group = grouped.get(id);
    if (!group) {
      group = { head: rel.head, tail: rel.tail, labels: new Array<number>(R).fill(0) };
      grouped.set(id, group);
    }
    group.labels[(relationIndex.get(rel.type) as number) - 1] = 1;
  });
  const pairs: Array<[number, number]> = [];
  const pairLabels: number[][] = [];
  const positiveSpanPairs = new Set<string>();
  for (const g of grouped.values()) {
    const h = goldWords[g.head];
    const t = goldWords[g.tail];
    pairs.push([firstIndexOf.get(key(h)) as number, firstIndexOf.get(key(t)) as number]);
    pairLabels.push(g.labels);
    positiveSpanPairs.add(`${key(h)}|${key(t)}`);
  }

  // Negative spans: every candidate that is not exactly a gold span.
  const goldKeys = new Set(goldWords.map(key));
  const candidates = enumerateSpans(numWords, maxSpanSize).filter((s) => !goldKeys.has(key(s)));
  for (const s of sampleWithoutReplacement(candidates, negEntityCount, rng)) {
    spanWords.push(s);
    spanLabels.push(0);
  }

  // Strong negatives: ordered pairs of distinct gold spans that are not a positive pair; weak ones
  // pair every distinct span of the sample (a repeated gold span counts once, by its first index).
  const relationNegatives = options.relationNegatives ?? 'strong';
  if (relationNegatives !== 'strong' && relationNegatives !== 'weak') {
    throw new SpertError('INVALID_OPTION', `${where}: relationNegatives must be "strong" or "weak", got ${JSON.stringify(relationNegatives)}`);
  }
  const pool: Array<[Range, number]> =
    relationNegatives === 'strong'
      ? goldWords.map((s) => [s, firstIndexOf.get(key(s)) as number])
      : spanWords.map((s, i): [Range, number] => [s, i]).filter(([s, i]) => i >= goldWords.length || firstIndexOf.get(key(s)) === i);
  const negatives: Array<[number, number]> = [];
  pool.forEach(([s1, i1]) => {
    pool.forEach(([s2, i2]) => {
      if (key(s1) !== key(s2) && !positiveSpanPairs.has(`${key(s1)}|${key(s2)}`)) negatives.push([i1, i2]);
    });
  });
  for (const p of drawNegativePairs(negatives, negRelationCount, rng, options.preferTypePairs && ((h, t) => options.preferTypePairs?.allowsPair(spanLabels[h], spanLabels[t]) === true))) {
    pairs.push(p);
    pairLabels.push(new Array<number>(R).fill(0));
  }

  const spanRanges = spanWords.map((s) => wordSpanToWordpieces(encoding.wordRanges, s));
  const relationContext = options.relationContext ?? 'localized';
  const sentence = sentenceRange(encoding.wordRanges);
  return {
    inputIds: encoding.inputIds.slice(),
    spanWords,
    spanRanges,
    spanWidths: spanWords.map((s) => s[1] - s[0]),
    spanLabels,
    pairs,
    pairContexts: pairs.map(([i, j]) => relationContextRange(relationContext, spanRanges[i], spanRanges[j], sentence)),
    pairLabels,
    numRelationTypes: R,
  };
}

/** Up to `count` negative pairs: uniformly, or those `preferred` accepts first and the rest to fill up. */
function drawNegativePairs(negatives: Array<[number, number]>, count: number, rng: Rng, preferred?: (head: number, tail: number) => boolean): Array<[number, number]> {
  if (!preferred) return sampleWithoutReplacement(negatives, count, rng);
  const first = sampleWithoutReplacement(negatives.filter(([h, t]) => preferred(h, t)), count, rng);
  if (first.length >= count) return first;
  return first.concat(sampleWithoutReplacement(negatives.filter(([h, t]) => !preferred(h, t)), count - first.length, rng));
}
