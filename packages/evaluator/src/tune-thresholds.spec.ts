import { parseTypes, type Document } from '@spert/core';
import { formatThresholdTuning, tuneThresholds } from './tune-thresholds';

const types = parseTypes({
  entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' } },
  relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false }, Kill: { short: 'Kill', verbose: 'Kill', symmetric: false } },
});

// A hand-made development set: one document per candidate relation, entities always right.
// Each candidate has a score; gold holds it or not. Live_In's true ones score high (0.7+),
// Kill's true ones score low (0.2-0.3), so one threshold cannot serve both.
const candidates: Array<{ type: 'Live_In' | 'Kill'; score: number; gold: boolean }> = [
  { type: 'Live_In', score: 0.9, gold: true },
  { type: 'Live_In', score: 0.75, gold: true },
  { type: 'Live_In', score: 0.72, gold: true },
  { type: 'Live_In', score: 0.6, gold: false },
  { type: 'Live_In', score: 0.5, gold: false },
  { type: 'Live_In', score: 0.3, gold: false },
  { type: 'Kill', score: 0.3, gold: true },
  { type: 'Kill', score: 0.25, gold: true },
  { type: 'Kill', score: 0.22, gold: true },
  { type: 'Kill', score: 0.12, gold: false },
];
const tokens = ['Ann', 'saw', 'Rome'];
const entities = [{ type: 'Peop', start: 0, end: 1 }, { type: 'Loc', start: 2, end: 3 }];
const gold: Document[] = candidates.map((c) => ({ tokens, entities, relations: c.gold ? [{ type: c.type, head: 0, tail: 1 }] : [] }));
const calls: number[][] = [];
const predictAt = (thresholds: number[]): Document[] => {
  calls.push(thresholds);
  return candidates.map((c) => ({ tokens, entities, relations: c.score >= thresholds[c.type === 'Live_In' ? 0 : 1] ? [{ type: c.type, head: 0, tail: 1 }] : [] }));
};

describe('tuneThresholds on a development set', () => {
  it('chooses the global threshold and one per type that maximise relation F1, from one decoding per candidate', () => {
    calls.length = 0;
    const t = tuneThresholds({ gold, types, predictAt });
    // 19 candidates + one check of the per-type combination; the model is never asked again.
    expect(calls).toHaveLength(20);
    // Globally: at 0.15 and 0.2 Kill is perfect but Live_In has 3 false positives (P 6/9, R 1: F1 80);
    // at 0.65+ the reverse (F1 66.7). The tie goes to the candidate nearer the reference's 0.4.
    expect(t.global).toBe(0.2);
    expect(t.f1.global).toBeCloseTo(80, 10);
    expect(t.curve.find((p) => p.threshold === t.global)?.f1).toBe(Math.max(...t.curve.map((p) => p.f1)));
    // Per type: Live_In is perfect at 0.65 and 0.7, Kill at 0.15 and 0.2; ties go to the candidate nearer the global one.
    expect(t.perType).toEqual({ Live_In: 0.65, Kill: 0.2 });
    expect(t.f1.perType).toBe(100);
    expect(t.usePerType).toBe(true);
    expect(t.perTypeCurves.Kill.map((p) => p.threshold)).toEqual(t.curve.map((p) => p.threshold));
  });
  it('prints the dev curve with the choice marked', () => {
    const text = formatThresholdTuning(tuneThresholds({ gold, types, predictAt }), 'dev set');
    expect(text).toMatch(/^Relation thresholds tuned on the dev set/);
    expect(text.split('\n').filter((l) => l.endsWith('<- global'))).toHaveLength(1);
    expect(text).toContain('per type: Live_In 0.65, Kill 0.20: micro F1 100.00 (kept)');
  });
  it('refuses bad candidates and an empty development set', () => {
    expect(() => tuneThresholds({ gold, types, predictAt, candidates: [0, 0.5] })).toThrow(/candidates must be thresholds in \(0, 1\]/);
    expect(() => tuneThresholds({ gold: [], types, predictAt })).toThrow(/no documents/);
  });
});
