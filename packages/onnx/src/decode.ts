// Turning head outputs into a PredictedDocument with the reference's rules (prediction.py):
// keep spans whose argmax is not "none"; score every ordered pair of kept spans; keep (pair, type)
// with sigmoid >= threshold; put the earlier span first for symmetric types and drop duplicates;
// sort entities by start and relations by head (stable, as Python's sorted).
// LOCAL HELPER until @spert/entity-head `filterSpans` / @spert/relation-head `buildPrediction`
// land: the runtime then calls those instead (one decoding for TF.js and ONNX).
import type { PredictedDocument, ScoredEntity, ScoredRelation, TypesSchema } from '@spert/core';

type Range = [number, number];

/** The kept spans of one document: indices into its candidate list, with argmax type and score. */
export interface KeptSpans {
  indices: number[];
  types: number[];
  scores: number[];
}

/** Argmax over each span's class probabilities; keeps the spans not classified "none" (index 0). */
export function keepSpans(probs: ArrayLike<number>, numSpans: number, numClasses: number, offset = 0): KeptSpans {
  const kept: KeptSpans = { indices: [], types: [], scores: [] };
  for (let s = 0; s < numSpans; s++) {
    const base = offset + s * numClasses;
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (probs[base + c] > probs[base + best]) best = c;
    if (best !== 0) {
      kept.indices.push(s);
      kept.types.push(best);
      kept.scores.push(probs[base + best]);
    }
  }
  return kept;
}

/** Every ordered pair (i, j), i != j, of `count` kept spans, in the reference's order. */
export function orderedPairs(count: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) for (let j = 0; j < count; j++) if (i !== j) pairs.push([i, j]);
  return pairs;
}

/** Options of decodeDocument. */
export interface DecodeOptions {
  tokens: string[];
  types: TypesSchema;
  /** Word range of every candidate span. */
  spanWords: Range[];
  kept: KeptSpans;
  /** Pairs of indices into `kept`, and their relation probabilities [P * R] (row-major). */
  pairs: Array<[number, number]>;
  relationProbs: ArrayLike<number>;
  relationOffset?: number;
  threshold: number;
}

/** Builds the reference's prediction JSON (word offsets) with scores for one document. */
export function decodeDocument(o: DecodeOptions): PredictedDocument {
  const R = o.types.relations.length;
  const entityKey = (t: number) => o.types.entities[t - 1].key;
  const keptWords = o.kept.indices.map((i) => o.spanWords[i]);
  const entities: ScoredEntity[] = o.kept.indices.map((_, k) => ({
    type: entityKey(o.kept.types[k]),
    start: keptWords[k][0],
    end: keptWords[k][1],
    score: o.kept.scores[k],
  }));
  const sorted = entities.map((e, k) => ({ e, k })).sort((a, b) => a.e.start - b.e.start);
  const position = new Map<number, number>();
  sorted.forEach(({ k }, pos) => position.set(k, pos));
  const seen = new Set<string>();
  const relations: ScoredRelation[] = [];
  const off = o.relationOffset ?? 0;
  o.pairs.forEach(([h, t], p) => {
    for (let r = 0; r < R; r++) {
      const score = o.relationProbs[off + p * R + r];
      if (!(score >= o.threshold) || score === 0) continue;
      const rel = o.types.relations[r];
      let [head, tail] = [h, t];
      if (rel.symmetric && keptWords[tail][0] < keptWords[head][0]) [head, tail] = [tail, head];
      const key = `${head},${tail},${r}`;
      if (seen.has(key)) continue;
      seen.add(key);
      relations.push({ type: rel.key, head: position.get(head)!, tail: position.get(tail)!, score });
    }
  });
  relations.sort((a, b) => a.head - b.head);
  return { tokens: o.tokens, entities: sorted.map(({ e }) => e), relations };
}
