import type { Document, TypesSchema } from '@spert/core';
import { evaluate } from './evaluate';

/** One point of a threshold curve: relation scores (with NEC, in percent) at one threshold. */
export interface ThresholdPoint {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Options of {@link tuneThresholds}. */
export interface TuneThresholdsOptions {
  /** Gold documents of the development set (never the set the model is then evaluated on). */
  gold: readonly Document[];
  types: TypesSchema;
  /**
   * Predictions of the development set when relation type r (class index r, at position r - 1)
   * is kept iff its probability >= thresholds[r - 1]: the model's scores decoded again, not re-run.
   */
  predictAt: (thresholds: number[]) => Document[];
  /** Thresholds to try (default 0.05, 0.10, ..., 0.95, which holds the reference's 0.4). */
  candidates?: readonly number[];
  /** The reference's no_overlapping evaluation (ADE). */
  noOverlapping?: boolean;
}

/** What {@link tuneThresholds} chose, with the curves it chose from. */
export interface ThresholdTuning {
  /** The one threshold with the best micro F1 (relations with NEC). */
  global: number;
  /** Per relation type key: the threshold with the best F1 of that type (types absent from gold and predictions keep `global`). */
  perType: Record<string, number>;
  /** Whether the per-type thresholds are kept: only when their micro F1 is at least the global one's. */
  usePerType: boolean;
  /** Micro F1 (with NEC) at the global threshold and with the per-type thresholds. */
  f1: { global: number; perType: number };
  /** Micro scores at every candidate (the dev curve). */
  curve: ThresholdPoint[];
  /** Per relation type key: its scores at every candidate. */
  perTypeCurves: Record<string, ThresholdPoint[]>;
}

/** The reference's 0.4 among 0.05 steps. */
export const DEFAULT_THRESHOLD_CANDIDATES: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);

/** Index of the best F1; ties go to the candidate nearest `prefer` (the global threshold, or the reference's 0.4). */
function best(points: readonly ThresholdPoint[], prefer: number): ThresholdPoint {
  return points.reduce((a, b) => (b.f1 > a.f1 || (b.f1 === a.f1 && Math.abs(b.threshold - prefer) < Math.abs(a.threshold - prefer)) ? b : a));
}

/**
 * Chooses the relation threshold on a development set, globally and per relation type, to
 * maximise relation F1 (with NEC, the strict setting). One evaluation per candidate gives both:
 * a type's decisions depend only on its own threshold, so its F1 at a shared threshold is its F1
 * at that threshold alone.
 */
export function tuneThresholds(o: TuneThresholdsOptions): ThresholdTuning {
  const candidates = [...(o.candidates ?? DEFAULT_THRESHOLD_CANDIDATES)];
  if (candidates.length === 0 || candidates.some((c) => !(c > 0 && c <= 1))) throw new Error(`tuneThresholds: candidates must be thresholds in (0, 1], got ${JSON.stringify(candidates)}`);
  if (o.gold.length === 0) throw new Error('tuneThresholds: the development set has no documents');
  const R = o.types.relations.length;
  const gold = o.gold.slice();
  const run = (thresholds: number[]) => evaluate({ gold, predicted: o.predictAt(thresholds), types: o.types, noOverlapping: o.noOverlapping }).relNec;
  const curve: ThresholdPoint[] = [];
  const perTypeCurves: Record<string, ThresholdPoint[]> = {};
  for (const threshold of candidates) {
    const result = run(new Array<number>(R).fill(threshold));
    curve.push({ threshold, precision: result.micro.precision, recall: result.micro.recall, f1: result.micro.f1 });
    for (const t of result.perType) (perTypeCurves[t.type] ??= []).push({ threshold, precision: t.precision, recall: t.recall, f1: t.f1 });
  }
  const global = best(curve, 0.4).threshold;
  const perType: Record<string, number> = {};
  for (const r of o.types.relations) {
    // A type is listed only at thresholds where gold or predictions hold it; elsewhere it scores 0.
    const seen = new Map((perTypeCurves[r.key] ?? []).map((p) => [p.threshold, p]));
    perTypeCurves[r.key] = candidates.map((threshold) => seen.get(threshold) ?? { threshold, precision: 0, recall: 0, f1: 0 });
    perType[r.key] = best(perTypeCurves[r.key], global).threshold;
  }
  const ordered = [...o.types.relations].sort((a, b) => a.index - b.index);
  const perTypeF1 = run(ordered.map((r) => perType[r.key])).micro.f1;
  const globalF1 = curve.find((p) => p.threshold === global)?.f1 ?? 0;
  return { global, perType, usePerType: perTypeF1 >= globalF1, f1: { global: globalF1, perType: perTypeF1 }, curve, perTypeCurves };
}

/** The dev curve and the choice as text: one row per candidate, the chosen global threshold marked. */
export function formatThresholdTuning(t: ThresholdTuning, label = 'development set'): string {
  const f = (x: number) => x.toFixed(2).padStart(6);
  const lines = [`Relation thresholds tuned on the ${label} (relations with NEC, micro):`, `${'threshold'.padStart(9)} ${'prec'.padStart(6)} ${'rec'.padStart(6)} ${'f1'.padStart(6)}`];
  for (const p of t.curve) lines.push(`${p.threshold.toFixed(2).padStart(9)} ${f(p.precision)} ${f(p.recall)} ${f(p.f1)}${p.threshold === t.global ? '  <- global' : ''}`);
  lines.push(`global threshold ${t.global.toFixed(2)}: micro F1 ${t.f1.global.toFixed(2)}`);
  lines.push(`per type: ${Object.entries(t.perType).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}: micro F1 ${t.f1.perType.toFixed(2)} (${t.usePerType ? 'kept' : 'not kept: lower than the global threshold alone'})`);
  return lines.join('\n');
}
