// A deterministic runtime for tests (in test/, so not in the published package): every score depends only on the subword ids
// inside the spans (and between them), never on the rest of the sequence, so a sentence scores
// the same alone or inside a longer window. A real encoder attends to the whole window, so only
// such a runtime can test the windowing and merging logic exactly.
import type { BatchScores, PairScoringInput, ScoredBatch, SpanScoringInput, SpertRuntime, SpertSettings } from '@spert/core';

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x9e3779b1) >>> 0;
}

function spanHash(ids: Int32Array, from: number, to: number, seed: number): number {
  let h = seed;
  for (let i = from; i < to; i++) h = mix(h, ids[i]);
  return mix(h, to - from);
}

/** The test runtime; `entityRate` of candidate spans (by hash) become entities. */
export function contextFreeRuntime(settings: SpertSettings, entityRate = 0.05): SpertRuntime & { spanCalls: number; pairCalls: number } {
  const C = settings.types.entities.length + 1;
  const R = settings.types.relations.length;
  const rt = {
    settings,
    spanCalls: 0,
    pairCalls: 0,
    async scoreSpans(input: SpanScoringInput): Promise<ScoredBatch> {
      rt.spanCalls++;
      const [B, T] = input.inputIds.shape;
      const S = input.spanRanges.shape[1];
      const ids = input.inputIds.data;
      const logits = new Float32Array(B * S * C);
      const probs = new Float32Array(B * S * C);
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < S; s++) {
          const o = b * S + s;
          const [st, en] = [input.spanRanges.data[2 * o], input.spanRanges.data[2 * o + 1]];
          const h = spanHash(ids, b * T + st, b * T + en, input.spanWidths.data[o]);
          const isEntity = (h % 1000) / 1000 < entityRate && en > st;
          let z = 0;
          for (let c = 0; c < C; c++) {
            const l = c === 0 ? 1 : isEntity && c === 1 + (h % (C - 1)) ? 2 + (mix(h, c) % 100) / 100 : (mix(h, c) % 100) / 200;
            logits[o * C + c] = l;
            z += Math.exp(l);
          }
          for (let c = 0; c < C; c++) probs[o * C + c] = Math.exp(logits[o * C + c]) / z;
        }
      }
      return {
        entities: { logits, probs, shape: [B, S, C] },
        async scorePairs(p: PairScoringInput): Promise<BatchScores> {
          rt.pairCalls++;
          const P = p.pairs.shape[1];
          const out = new Float32Array(B * P * R);
          const sig = new Float32Array(B * P * R);
          for (let b = 0; b < B; b++) {
            for (let k = 0; k < P; k++) {
              const o = b * P + k;
              const [hs, ts] = [p.pairs.data[2 * o], p.pairs.data[2 * o + 1]];
              const range = (s: number) => [input.spanRanges.data[2 * (b * S + s)], input.spanRanges.data[2 * (b * S + s) + 1]];
              const [h0, h1] = range(hs);
              const [t0, t1] = range(ts);
              const [c0, c1] = [p.contexts.data[2 * o], p.contexts.data[2 * o + 1]];
              const h = mix(mix(spanHash(ids, b * T + h0, b * T + h1, 1), spanHash(ids, b * T + t0, b * T + t1, 2)), spanHash(ids, b * T + c0, b * T + c1, 3));
              for (let r = 0; r < R; r++) {
                const l = ((mix(h, r) % 1000) / 1000) * 8 - 6;
                out[o * R + r] = l;
                sig[o * R + r] = 1 / (1 + Math.exp(-l));
              }
            }
          }
          return { logits: out, probs: sig, shape: [B, P, R] };
        },
        dispose() {},
      };
    },
  };
  return rt;
}
