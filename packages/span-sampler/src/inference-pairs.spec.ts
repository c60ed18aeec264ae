import type { Range } from './types';
import { buildInferencePairs } from './inference-pairs';

describe('buildInferencePairs', () => {
  const spanRanges: Range[] = [[1, 2], [2, 4], [5, 6], [1, 4]];

  it('builds all m(m-1) ordered pairs of kept spans, head-major over ascending indices, with contexts', () => {
    const { pairs, contexts } = buildInferencePairs({ keptSpans: [2, 0, 3], spanRanges });
    expect(pairs).toEqual([[0, 2], [0, 3], [2, 0], [2, 3], [3, 0], [3, 2]]);
    // [1,2]-[5,6] separated: [2,5); [1,2] inside [1,4]: empty; [1,4]-[5,6]: [4,5)
    expect(contexts).toEqual([[2, 5], [0, 0], [2, 5], [4, 5], [0, 0], [4, 5]]);
  });

  it('gives every pair the sentence range, [CLS] alone or nothing for the other context variants', () => {
    const kept = [2, 0, 3];
    const sentence = buildInferencePairs({ keptSpans: kept, spanRanges, relationContext: 'sentence', sentence: [1, 7] });
    expect(sentence.pairs).toEqual([[0, 2], [0, 3], [2, 0], [2, 3], [3, 0], [3, 2]]);
    expect(sentence.contexts).toEqual(Array(6).fill([1, 7]));
    expect(buildInferencePairs({ keptSpans: kept, spanRanges, relationContext: 'cls' }).contexts).toEqual(Array(6).fill([0, 1]));
    expect(buildInferencePairs({ keptSpans: kept, spanRanges, relationContext: 'none' }).contexts).toEqual(Array(6).fill([0, 0]));
    expect(buildInferencePairs({ keptSpans: kept, spanRanges, relationContext: 'localized' })).toEqual(buildInferencePairs({ keptSpans: kept, spanRanges }));
    expect(() => buildInferencePairs({ keptSpans: kept, spanRanges, relationContext: 'sentence' })).toThrow(/'sentence' needs the document's sentence range/);
  });

  it('gives no pairs for fewer than two kept spans', () => {
    expect(buildInferencePairs({ keptSpans: [1], spanRanges }).pairs).toEqual([]);
    expect(buildInferencePairs({ keptSpans: [], spanRanges }).pairs).toEqual([]);
  });

  it('counts m(m-1) pairs', () => {
    const many: Range[] = Array.from({ length: 40 }, (_, i) => [i + 1, i + 2]);
    expect(buildInferencePairs({ keptSpans: many.map((_, i) => i), spanRanges: many }).pairs).toHaveLength(40 * 39);
  });

  it('rejects kept indices outside the candidates', () => {
    expect(() => buildInferencePairs({ keptSpans: [4], spanRanges })).toThrow(/kept span 4 is not one of the 4 candidates/);
  });
});
