import type { PredictedDocument, ScoredEntity, ScoredRelation } from '@spert/core';

/** How a document longer than the encoder is cut: overlapping windows of words. */
export interface WindowOptions {
  /** Window size in `unit`s (default: as many subwords as the encoder takes). */
  window?: number;
  /** Distance between window starts in `unit`s (default: half the window). */
  stride?: number;
  /** Unit of `window` and `stride` (default 'subwords'); a window never exceeds the encoder in subwords. */
  unit?: 'subwords' | 'words';
}

/** Options of {@link planWindows}. */
export interface PlanWindowsOptions extends WindowOptions {
  /** Subwords of each word (without special tokens). */
  wordLengths: readonly number[];
  /** Most subwords one window may hold (the encoder's maximum minus its special tokens). */
  maxSubwords: number;
  /** Named in errors. */
  where?: string;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
  return v;
}

/**
 * Cuts a document into overlapping word windows [start, end): each holds at most `window` units
 * and at most `maxSubwords` subwords, the next starts `stride` units later (at least one word
 * later, never past the previous end, so no word is left out).
 */
export function planWindows(o: PlanWindowsOptions): Array<[number, number]> {
  const unit = o.unit ?? 'subwords';
  if (unit !== 'subwords' && unit !== 'words') throw new RangeError(`window unit must be 'subwords' or 'words', got ${JSON.stringify(unit)}`);
  const maxSubwords = positiveInt(o.maxSubwords, 'maxSubwords');
  const window = positiveInt(o.window ?? maxSubwords, `${o.where ? `${o.where}: ` : ''}window`);
  const stride = positiveInt(o.stride ?? Math.max(1, Math.floor(window / 2)), 'stride');
  if (stride > window) throw new RangeError(`stride (${stride}) must not exceed window (${window}): words between windows would be left out`);
  const cap = unit === 'subwords' ? Math.min(window, maxSubwords) : maxSubwords;
  const lens = o.wordLengths;
  const n = lens.length;
  const out: Array<[number, number]> = [];
  let s = 0;
  while (s < n) {
    let e = s;
    let sum = 0;
    while (e < n && (unit === 'subwords' || e - s < window) && sum + lens[e] <= cap) sum += lens[e++];
    if (e === s) {
      throw new RangeError(`${o.where ? `${o.where}: ` : ''}word ${s} alone has ${lens[s]} subwords, more than a window holds (${cap})`);
    }
    out.push([s, e]);
    if (e === n) break;
    let next = s;
    if (unit === 'words') {
      next = s + stride;
    } else {
      let acc = 0;
      while (next < e && acc < stride) acc += lens[next++];
    }
    s = Math.min(Math.max(next, s + 1), e);
  }
  return out;
}

/** One window's prediction, in the window's own word coordinates. */
export interface WindowPrediction {
  /** First word of the window in the document. */
  start: number;
  prediction: PredictedDocument;
}

const spanKey = (start: number, end: number) => `${start}:${end}`;

/**
 * Merges window predictions into one document prediction: a span predicted in several windows
 * appears once, with the type and score of its best-scoring window; a relation predicted in any
 * window appears once per (head span, tail span, type), with its best score. Entities are
 * ordered by start then end, relations by head, tail, type.
 */
export function mergeWindowPredictions(tokens: readonly string[], windows: readonly WindowPrediction[]): PredictedDocument {
  const best = new Map<string, ScoredEntity>();
  const rels = new Map<string, { head: string; tail: string; type: string; score: number }>();
  for (const { start, prediction } of windows) {
    const global = prediction.entities.map((e) => ({ ...e, start: e.start + start, end: e.end + start }));
    for (const e of global) {
      const k = spanKey(e.start, e.end);
      const had = best.get(k);
      if (!had || e.score > had.score) best.set(k, e);
    }
    for (const r of prediction.relations) {
      const h = global[r.head];
      const t = global[r.tail];
      const key = `${spanKey(h.start, h.end)}|${spanKey(t.start, t.end)}|${r.type}`;
      const had = rels.get(key);
      if (!had || r.score > had.score) rels.set(key, { head: spanKey(h.start, h.end), tail: spanKey(t.start, t.end), type: r.type, score: r.score });
    }
  }
  const entities = [...best.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  const index = new Map(entities.map((e, i) => [spanKey(e.start, e.end), i]));
  const relations: ScoredRelation[] = [...rels.values()]
    .map((r) => ({ type: r.type, head: index.get(r.head) as number, tail: index.get(r.tail) as number, score: r.score }))
    .sort((a, b) => a.head - b.head || a.tail - b.tail || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return { tokens: tokens.slice(), entities, relations };
}
