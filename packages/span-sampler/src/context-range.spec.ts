import { contextRange } from './context-range';
import { wordSpanToWordpieces } from './wordpiece-range';

describe('contextRange', () => {
  it('is the gap between separated spans, in both orders', () => {
    expect(contextRange([1, 3], [5, 7])).toEqual([3, 5]);
    expect(contextRange([5, 7], [1, 3])).toEqual([3, 5]);
  });
  it('is empty for adjacent spans, in both orders', () => {
    expect(contextRange([1, 3], [3, 6])).toEqual([0, 0]);
    expect(contextRange([3, 6], [1, 3])).toEqual([0, 0]);
  });
  it('is empty for overlapping spans, in both orders', () => {
    expect(contextRange([1, 4], [3, 6])).toEqual([0, 0]);
    expect(contextRange([3, 6], [1, 4])).toEqual([0, 0]);
  });
  it('is empty for nested and identical spans, in both orders', () => {
    expect(contextRange([1, 8], [3, 5])).toEqual([0, 0]);
    expect(contextRange([3, 5], [1, 8])).toEqual([0, 0]);
    expect(contextRange([2, 4], [2, 4])).toEqual([0, 0]);
  });
  it('holds one position for a one-wordpiece gap', () => {
    expect(contextRange([1, 2], [3, 4])).toEqual([2, 3]);
  });
});

describe('wordSpanToWordpieces', () => {
  const wordRanges: Array<[number, number]> = [[1, 2], [2, 5], [5, 6]];
  it('maps a word span to [first word start, last word end)', () => {
    expect(wordSpanToWordpieces(wordRanges, [0, 1])).toEqual([1, 2]);
    expect(wordSpanToWordpieces(wordRanges, [1, 3])).toEqual([2, 6]);
    expect(wordSpanToWordpieces(wordRanges, [0, 3])).toEqual([1, 6]);
  });
  it('rejects spans outside the document', () => {
    expect(() => wordSpanToWordpieces(wordRanges, [2, 4])).toThrow(/\[2, 4\).*3-word/);
    expect(() => wordSpanToWordpieces(wordRanges, [1, 1])).toThrow(/not a non-empty span/);
  });
});
