import { SpertError } from '@spert/core';
/** Precision, recall, F1 (fractions, not percent) and support for one label or an average. */
export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

const divide = (a: number, b: number): number => (b === 0 ? 0 : a / b); // zero_division=0

/**
 * sklearn's `precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)` for
 * average=None, 'micro' and 'macro'. Macro averages the per-label values in `labels` order
 * (numpy sums short arrays left to right); F1 = 2tp / (2tp + fp + fn) as sklearn computes it.
 */
export function precisionRecallFscoreSupport(
  gold: ArrayLike<number>,
  pred: ArrayLike<number>,
  labels: number[],
): { perLabel: Prf[]; micro: Prf; macro: Prf } {
  if (gold.length !== pred.length) throw new SpertError('INVALID_INPUT', `gold has ${gold.length} labels, predictions ${pred.length}`);
  const pos = new Map(labels.map((l, i) => [l, i]));
  const tp = new Array<number>(labels.length).fill(0);
  const predSum = new Array<number>(labels.length).fill(0);
  const trueSum = new Array<number>(labels.length).fill(0);
  for (let i = 0; i < gold.length; i++) {
    const g = pos.get(gold[i]);
    const p = pos.get(pred[i]);
    if (g !== undefined) trueSum[g] += 1;
    if (p !== undefined) predSum[p] += 1;
    if (g !== undefined && gold[i] === pred[i]) tp[g] += 1;
  }
  const prf = (t: number, ps: number, ts: number): Prf => ({
    precision: divide(t, ps),
    recall: divide(t, ts),
    f1: divide(2 * t, ps + ts),
    support: ts,
  });
  const perLabel = labels.map((_, i) => prf(tp[i], predSum[i], trueSum[i]));
  const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
  const micro = prf(sum(tp), sum(predSum), sum(trueSum));
  const n = labels.length;
  const macro: Prf = {
    precision: n === 0 ? 0 : sum(perLabel.map((m) => m.precision)) / n,
    recall: n === 0 ? 0 : sum(perLabel.map((m) => m.recall)) / n,
    f1: n === 0 ? 0 : sum(perLabel.map((m) => m.f1)) / n,
    support: sum(trueSum),
  };
  return { perLabel, micro, macro };
}
