import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../tools/testing/shared';
import { enumerateSpans } from './enumerate-spans';

const expectedCount = (n: number, max: number): number => {
  let c = 0;
  for (let k = 1; k <= Math.min(max, n); k++) c += n - k + 1;
  return c;
};

describe('enumerateSpans', () => {
  it('returns sum_{k=1..min(max,n)} (n-k+1) spans for every length', () => {
    for (let n = 0; n <= 40; n++) {
      expect(enumerateSpans(n)).toHaveLength(expectedCount(n, 10));
      expect(enumerateSpans(n, 3)).toHaveLength(expectedCount(n, 3));
    }
    expect(enumerateSpans(50)).toHaveLength(10 * 50 - 45);
  });

  it('orders by width, then start, with end exclusive', () => {
    expect(enumerateSpans(3)).toEqual([[0, 1], [1, 2], [2, 3], [0, 2], [1, 3], [0, 3]]);
    expect(enumerateSpans(4, 2)).toEqual([[0, 1], [1, 2], [2, 3], [3, 4], [0, 2], [1, 3], [2, 4]]);
  });

  it("matches the reference's candidate_spans of the scratch CoNLL04 fixture", () => {
    const fixture = JSON.parse(
      readFileSync(sharedPath('fixtures', 'spert-scratch-conll04', 'expected_outputs.json'), 'utf8'),
    ) as { documents: Array<{ tokens: string[]; candidate_spans: number[][] }> };
    expect(fixture.documents.length).toBeGreaterThan(0);
    for (const doc of fixture.documents) {
      expect(enumerateSpans(doc.tokens.length, 10)).toEqual(doc.candidate_spans);
    }
  });

  it('rejects bad arguments', () => {
    expect(() => enumerateSpans(-1)).toThrow(/numWords/);
    expect(() => enumerateSpans(3, 0)).toThrow(/maxSpanSize/);
  });
});
