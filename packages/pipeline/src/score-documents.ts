import type { DocumentScores, EncodedDocument, SpertRuntime } from '@spert/core';
import { buildInferencePairs, collate, createEvalSample, sentenceRange } from '@spert/span-sampler';
import { filterSpans } from './decode/filter-spans';
import { internalError } from '@spert/core';

/** Options of {@link scoreDocuments}. */
export interface ScoreDocumentsOptions {
  runtime: SpertRuntime;
  /** Documents encoded by the model's tokenizer; they form one runtime batch. */
  encodings: readonly EncodedDocument[];
}

/**
 * Scores one batch of encoded documents the reference's way: every candidate span up to the
 * model's span size, the entity filter (argmax != none), every ordered pair of kept spans with
 * its context range (localized, or the model's relation_context ablation), relation scores in chunks of `max_pairs` pairs per document (a memory
 * bound only: results do not depend on it).
 */
export async function scoreDocuments({ runtime, encodings }: ScoreDocumentsOptions): Promise<DocumentScores[]> {
  if (encodings.length === 0) return [];
  const { settings } = runtime;
  const C = settings.types.entities.length + 1;
  const R = settings.types.relations.length;
  const samples = encodings.map((encoding) => createEvalSample({ encoding, maxSpanSize: settings.maxSpanSize, numRelationTypes: R }));
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
      const keptSpans = filterSpans({ probs: entityProbs, numClasses: C }).indices;
      const { pairs, contexts } = buildInferencePairs({
        keptSpans,
        spanRanges: sample.spanRanges,
        relationContext: settings.relationContext,
        sentence: sentenceRange(encodings[b].wordRanges),
      });
      return { sample, entityProbs, entityLogits, keptSpans, pairs, contexts, relationProbs: new Float32Array(pairs.length * R), relationLogits: new Float32Array(pairs.length * R) };
    });
    const P = Math.max(0, ...perDoc.map((d) => d.pairs.length));
    const chunk = Math.max(1, Math.floor(settings.maxPairs));
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
        const rel = await scored.scorePairs({ pairs: { data: pairs, shape: [B, n, 2] }, contexts: { data: contexts, shape: [B, n, 2] } });
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
    return perDoc.map((d) => ({
      spans: d.sample.spanWords,
      entityProbs: d.entityProbs,
      entityLogits: d.entityLogits,
      keptSpans: d.keptSpans,
      pairs: d.pairs,
      relationProbs: d.relationProbs,
      relationLogits: d.relationLogits,
    }));
  } finally {
    await scored.dispose();
  }
}
