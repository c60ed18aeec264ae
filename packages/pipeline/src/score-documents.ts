import type { DocumentScores, EncodedDocument, EntitiesMode, IntArrayND, SpertRuntime } from '@spert/core';
import { buildInferencePairs, collate, createEvalSample, sentenceRange } from '@spert/span-sampler';
import { filterSpans } from './decode/filter-spans';
import { internalError } from '@spert/core';

/** A given entity in its encoding's word coordinates, with its type's class index (1..E). */
export interface GivenSpan {
  start: number;
  end: number;
  type: number;
}

/** What to compute for one encoded document beyond the reference's defaults. */
export interface DocumentRequest {
  /** Entities the caller gave; scored as candidates even when wider than the model's span size. */
  given?: readonly GivenSpan[];
  /** `given` (default): only the given entities are kept; `merged`: they join the predicted ones. */
  entitiesMode?: EntitiesMode;
  /** `false`: no pairs are built and the relation head is not run for this document. */
  relations?: boolean;
}

/** Options of {@link scoreDocuments}. */
export interface ScoreDocumentsOptions {
  runtime: SpertRuntime;
  /** Documents encoded by the model's tokenizer; they form one runtime batch. */
  encodings: readonly EncodedDocument[];
  /** Per encoding (same order): given entities and switches; absent means the reference's behaviour. */
  requests?: ReadonlyArray<DocumentRequest | undefined>;
}

/** The kept candidates of one document: the entity filter's, the given ones, or both; ascending. */
function keepSpans(filtered: number[], given: Array<[number, number]> | undefined, mode: EntitiesMode | undefined): number[] {
  if (!given) return filtered;
  const ids = given.map(([c]) => c);
  const kept = mode === 'merged' ? new Set([...filtered, ...ids]) : new Set(ids);
  return [...kept].sort((a, b) => a - b);
}

/** Candidate index of each given span (appended to the candidates when wider than the span size). */
function givenCandidates(spanWords: ReadonlyArray<readonly [number, number]>, given: readonly GivenSpan[]): Array<[number, number]> {
  const index = new Map(spanWords.map(([s, e], i) => [`${s}:${e}`, i]));
  const out = new Map<number, number>();
  for (const g of given) {
    const c = index.get(`${g.start}:${g.end}`);
    if (c === undefined) throw new Error(`given entity [${g.start}, ${g.end}) is not among the scored candidates`);
    if (out.has(c)) throw new Error(`given entity [${g.start}, ${g.end}) appears twice; a span can carry one given type`);
    out.set(c, g.type);
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Scores one batch of encoded documents the reference's way: every candidate span up to the
 * model's span size, the entity filter (argmax != none), every ordered pair of kept spans with
 * its context range (localized, or the model's relation_context ablation), relation scores in chunks of `max_pairs` pairs per document (a memory
 * bound only: results do not depend on it).
 */
export async function scoreDocuments({ runtime, encodings, requests }: ScoreDocumentsOptions): Promise<DocumentScores[]> {
  if (encodings.length === 0) return [];
  const { settings } = runtime;
  const C = settings.types.entities.length + 1;
  const R = settings.types.relations.length;
  const samples = encodings.map((encoding, b) =>
    createEvalSample({ encoding, maxSpanSize: settings.maxSpanSize, numRelationTypes: R, extraSpans: requests?.[b]?.given?.map((g) => [g.start, g.end] as const) }),
  );
  const batch = collate(samples);
  const B = samples.length;
  const S = batch.spanRanges.shape[1];
  const scored = await runtime.scoreSpans(batch);
  try {
    const { entities } = scored;
    if (entities.shape[0] !== B || entities.shape[1] !== S || entities.shape[2] !== C) {
      throw internalError(`runtime: entity scores have shape [${entities.shape.join(', ')}], expected [${B}, ${S}, ${C}] (${C - 1} entity types + none)`);
    }
    const perDoc = samples.map((sample, b) => {
      const n = sample.spanWords.length;
      const entityProbs = entities.probs.slice(b * S * C, (b * S + n) * C);
      const entityLogits = entities.logits.slice(b * S * C, (b * S + n) * C);
      const request = requests?.[b];
      const given = request?.given ? givenCandidates(sample.spanWords, request.given) : undefined;
      const filtered = filterSpans({ probs: entityProbs, numClasses: C });
      const keptSpans = keepSpans(filtered.indices, given, request?.entitiesMode);
      // The entity type of each kept span (a given one's own type wins), for a relation head that reads them.
      const keptTypes = new Map(filtered.indices.map((s, k) => [s, filtered.types[k]]));
      for (const [c, type] of given ?? []) keptTypes.set(c, type);
      const { pairs, contexts } =
        request?.relations === false
          ? { pairs: [], contexts: [] }
          : buildInferencePairs({
              keptSpans,
              spanRanges: sample.spanRanges,
              relationContext: settings.relationContext,
              sentence: sentenceRange(encodings[b].wordRanges),
            });
      return { sample, entityProbs, entityLogits, keptSpans, keptTypes, given, pairs, contexts, relationProbs: new Float32Array(pairs.length * R), relationLogits: new Float32Array(pairs.length * R) };
    });
    const P = Math.max(0, ...perDoc.map((d) => d.pairs.length));
    const chunk = Math.max(1, Math.floor(settings.maxPairs));
    // A relation head that reads entity types gets each candidate's predicted one (0 = not kept).
    let spanTypes: IntArrayND | undefined;
    if (settings.relationEntityTypes === 'embedding') {
      spanTypes = { data: new Int32Array(B * S), shape: [B, S] };
      for (const [b, d] of perDoc.entries()) for (const s of d.keptSpans) (spanTypes as IntArrayND).data[b * S + s] = d.keptTypes.get(s) ?? 0;
    }
    if (R > 0) {
      for (let p0 = 0; p0 < P; p0 += chunk) {
        const n = Math.min(chunk, P - p0);
        const pairs = new Int32Array(B * n * 2);
        const contexts = new Int32Array(B * n * 2);
        perDoc.forEach((d, b) => {
          for (let p = 0; p < n && p0 + p < d.pairs.length; p++) {
            pairs.set(d.pairs[p0 + p], (b * n + p) * 2);
            contexts.set(d.contexts[p0 + p], (b * n + p) * 2);
          }
        });
        const rel = await scored.scorePairs({ pairs: { data: pairs, shape: [B, n, 2] }, contexts: { data: contexts, shape: [B, n, 2] }, ...(spanTypes ? { spanTypes } : {}) });
        if (rel.shape[0] !== B || rel.shape[1] !== n || rel.shape[2] !== R) {
          throw internalError(`runtime: relation scores have shape [${rel.shape.join(', ')}], expected [${B}, ${n}, ${R}] (${R} relation types)`);
        }
        perDoc.forEach((d, b) => {
          const count = Math.min(n, d.pairs.length - p0);
          if (count <= 0) return;
          d.relationProbs.set(rel.probs.subarray(b * n * R, (b * n + count) * R), p0 * R);
          d.relationLogits.set(rel.logits.subarray(b * n * R, (b * n + count) * R), p0 * R);
        });
      }
    }
    return perDoc.map((d) => {
      const out: DocumentScores = {
        spans: d.sample.spanWords,
        entityProbs: d.entityProbs,
        entityLogits: d.entityLogits,
        keptSpans: d.keptSpans,
        pairs: d.pairs,
        relationProbs: d.relationProbs,
        relationLogits: d.relationLogits,
      };
      if (d.given) out.given = d.given;
      return out;
    });
  } finally {
    await scored.dispose();
  }
}
