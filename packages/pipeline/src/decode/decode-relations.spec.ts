import type { Range } from '@spert/span-sampler';
import { decodeRelations } from './decode-relations';

const spans: Range[] = [[0, 1], [3, 5], [6, 7]];
const entityTypes = [1, 2, 1];

describe('decodeRelations', () => {
  it('keeps a (pair, type) iff probability >= threshold, exactly 0.4 included, several types per pair', () => {
    const out = decodeRelations({
      pairs: [[0, 1], [1, 2]],
      relationProbs: [[0.4, 0.39999999, 0.95], [0.1, 0, 0.41]],
      spans,
      entityTypes,
      symmetric: [false, false, false],
    });
    expect(out).toEqual([
      { head: 0, tail: 1, type: 1, score: 0.4 },
      { head: 0, tail: 1, type: 3, score: 0.95 },
      { head: 1, tail: 2, type: 3, score: 0.41 },
    ]);
  });

  it('keeps float32 0.4 (as torch compares float32 values)', () => {
    const out = decodeRelations({ pairs: [[0, 1]], relationProbs: Float32Array.from([0.4, Math.fround(0.39999998)]), numRelationTypes: 2, spans, entityTypes, symmetric: [false, false] });
    expect(out.map((r) => r.type)).toEqual([1]);
  });

  it('uses the given threshold', () => {
    const out = decodeRelations({ pairs: [[0, 1]], relationProbs: [[0.6, 0.7]], spans, entityTypes, symmetric: [false, false], threshold: 0.65 });
    expect(out.map((r) => r.type)).toEqual([2]);
  });

  it('orients symmetric types so the span that starts first is head, and drops the duplicate', () => {
    const out = decodeRelations({
      pairs: [[2, 0], [0, 2], [2, 1]],
      relationProbs: [[0.8, 0.9], [0.7, 0.6], [0.1, 0.5]],
      spans,
      entityTypes,
      symmetric: [false, true],
    });
    expect(out).toEqual([
      { head: 2, tail: 0, type: 1, score: 0.8 },
      { head: 0, tail: 2, type: 2, score: 0.9 },
      { head: 0, tail: 2, type: 1, score: 0.7 },
      { head: 1, tail: 2, type: 2, score: 0.5 },
    ]);
  });

  it('rejects mismatched inputs', () => {
    expect(() => decodeRelations({ pairs: [[0, 1]], relationProbs: [[0.5], [0.5]], spans, entityTypes, symmetric: [false] })).toThrow(/2 probability rows for 1 pairs/);
    expect(() => decodeRelations({ pairs: [[0, 9]], relationProbs: [[0.5]], spans, entityTypes, symmetric: [false] })).toThrow(/pair 0 points at span 9/);
    expect(() => decodeRelations({ pairs: [[0, 1]], relationProbs: [[0.5, 0.1]], spans, entityTypes, symmetric: [false] })).toThrow(/row 0 has 2 values, expected 1/);
  });
});
