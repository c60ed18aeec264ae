import type { PredictedDocument } from '@spert/core';
import { mergeWindowPredictions, planWindows } from './windows';

const covered = (ws: Array<[number, number]>, n: number) => {
  const seen = new Array<number>(n).fill(0);
  for (const [s, e] of ws) for (let i = s; i < e; i++) seen[i]++;
  return seen;
};

describe('planWindows', () => {
  it('one window when the document fits', () => {
    expect(planWindows({ wordLengths: [1, 2, 3], maxSubwords: 10 })).toEqual([[0, 3]]);
  });

  it('subword windows: each within the limit, starts a stride apart, every word covered, overlap', () => {
    const lens = Array.from({ length: 100 }, (_, i) => 1 + (i % 3));
    const ws = planWindows({ wordLengths: lens, maxSubwords: 20, stride: 10 });
    for (const [s, e] of ws) expect(lens.slice(s, e).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20);
    expect(covered(ws, 100).every((c) => c >= 1)).toBe(true);
    expect(ws[0][0]).toBe(0);
    expect(ws.at(-1)?.[1]).toBe(100);
    for (let k = 1; k < ws.length; k++) {
      expect(ws[k][0]).toBeGreaterThan(ws[k - 1][0]);
      expect(ws[k][0]).toBeLessThan(ws[k - 1][1]);
      // The next window starts after at least `stride` subwords of the previous one.
      expect(lens.slice(ws[k - 1][0], ws[k][0]).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(10);
    }
  });

  it('default window is the encoder and default stride half of it', () => {
    const lens = new Array<number>(40).fill(1);
    expect(planWindows({ wordLengths: lens, maxSubwords: 16 })).toEqual([[0, 16], [8, 24], [16, 32], [24, 40]]);
  });

  it('word windows: at most `window` words and never more subwords than the encoder takes', () => {
    const lens = [1, 1, 1, 5, 5, 1, 1, 1, 1, 1];
    expect(planWindows({ wordLengths: lens, maxSubwords: 8, window: 4, stride: 2, unit: 'words' })).toEqual([[0, 4], [2, 4], [4, 8], [6, 10]]);
  });

  it('refuses bad settings and a word that alone exceeds a window, naming the document', () => {
    expect(() => planWindows({ wordLengths: [1], maxSubwords: 4, window: 4, stride: 5 })).toThrow(/stride \(5\) must not exceed window \(4\)/);
    expect(() => planWindows({ wordLengths: [1], maxSubwords: 4, window: 0 })).toThrow(/window must be a positive integer/);
    expect(() => planWindows({ wordLengths: [1, 9], maxSubwords: 4, where: 'doc.json: document 3' })).toThrow('doc.json: document 3: word 1 alone has 9 subwords, more than a window holds (4)');
    expect(() => planWindows({ wordLengths: [1], maxSubwords: 4, unit: 'chars' as never })).toThrow(/unit/);
  });
});

describe('mergeWindowPredictions', () => {
  const tokens = 'a b c d e f g h'.split(' ');
  it('keeps each span once with its best window, relations once per span pair and type with the best score', () => {
    const w0: PredictedDocument = {
      tokens: tokens.slice(0, 5),
      entities: [{ type: 'X', start: 0, end: 1, score: 0.9 }, { type: 'Y', start: 3, end: 5, score: 0.6 }],
      relations: [{ type: 'R', head: 0, tail: 1, score: 0.5 }],
    };
    const w1: PredictedDocument = {
      tokens: tokens.slice(3),
      entities: [{ type: 'Z', start: 0, end: 2, score: 0.8 }, { type: 'X', start: 4, end: 5, score: 0.7 }],
      relations: [{ type: 'R', head: 0, tail: 1, score: 0.45 }],
    };
    const merged = mergeWindowPredictions(tokens, [{ start: 0, prediction: w0 }, { start: 3, prediction: w1 }]);
    expect(merged.tokens).toEqual(tokens);
    expect(merged.entities).toEqual([
      { type: 'X', start: 0, end: 1, score: 0.9 },
      { type: 'Z', start: 3, end: 5, score: 0.8 },
      { type: 'X', start: 7, end: 8, score: 0.7 },
    ]);
    expect(merged.relations).toEqual([
      { type: 'R', head: 0, tail: 1, score: 0.5 },
      { type: 'R', head: 1, tail: 2, score: 0.45 },
    ]);
    const again = mergeWindowPredictions(tokens, [{ start: 0, prediction: w0 }, { start: 0, prediction: { ...w0, relations: [{ type: 'R', head: 0, tail: 1, score: 0.7 }] } }]);
    expect(again.relations).toEqual([{ type: 'R', head: 0, tail: 1, score: 0.7 }]);
  });
});
