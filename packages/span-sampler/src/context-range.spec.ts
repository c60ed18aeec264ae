import { contextRange, relationContextRange, sentenceRange } from './context-range';
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

describe('sentenceRange', () => {
  it('runs from the first word\'s first wordpiece to the last word\'s end, [CLS] and [SEP] outside', () => {
    // [CLS]=0, words at [1,2) [2,5) [5,6), [SEP]=6
    expect(sentenceRange([[1, 2], [2, 5], [5, 6]])).toEqual([1, 6]);
    expect(sentenceRange([[1, 3]])).toEqual([1, 3]);
    expect(sentenceRange([])).toEqual([0, 0]);
  });
});

describe('relationContextRange', () => {
  const a: [number, number] = [1, 3];
  const b: [number, number] = [5, 7];
  it('is contextRange for localized, the sentence for sentence, [0, 1) for cls and empty for none, in both orders', () => {
    for (const [x, y] of [[a, b], [b, a]]) {
      expect(relationContextRange('localized', x, y, [1, 9])).toEqual(contextRange(x, y));
      expect(relationContextRange('sentence', x, y, [1, 9])).toEqual([1, 9]);
      expect(relationContextRange('cls', x, y, [1, 9])).toEqual([0, 1]);
      expect(relationContextRange('none', x, y, [1, 9])).toEqual([0, 0]);
    }
    // adjacent spans have no localized context, but still the sentence's
    expect(relationContextRange('localized', [1, 3], [3, 4], [1, 9])).toEqual([0, 0]);
    expect(relationContextRange('sentence', [1, 3], [3, 4], [1, 9])).toEqual([1, 9]);
  });
  it('rejects an unknown mode', () => {
    expect(() => relationContextRange('global' as never, a, b, [1, 9])).toThrow(/unknown relation context "global"/);
  });
});
