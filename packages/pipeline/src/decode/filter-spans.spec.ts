import { filterSpans } from './filter-spans';

describe('filterSpans', () => {
  const probs = [
    [0.9, 0.05, 0.05],
    [0.2, 0.7, 0.1],
    [0.3, 0.3, 0.4],
    [0.4, 0.4, 0.2], // tie between none and type 1: argmax takes the first (none)
    [0.1, 0.45, 0.45], // tie between types: the first wins
  ];

  it('keeps spans whose argmax is not none, with type and its probability', () => {
    expect(filterSpans({ probs })).toEqual({ indices: [1, 2, 4], types: [1, 2, 1], scores: [0.7, 0.4, 0.45] });
  });

  it('reads flat row-major arrays and honours the sample mask', () => {
    const flat = Float32Array.from(probs.flat());
    const out = filterSpans({ probs: flat, numClasses: 3, mask: [1, 1, 0, 1, 1] });
    expect(out.indices).toEqual([1, 4]);
    expect(out.types).toEqual([1, 1]);
    expect(out.scores[0]).toBeCloseTo(0.7, 6);
  });

  it('handles no spans and rejects malformed input', () => {
    expect(filterSpans({ probs: [], numClasses: 3 })).toEqual({ indices: [], types: [], scores: [] });
    expect(() => filterSpans({ probs: [0.1, 0.2, 0.3, 0.4], numClasses: 3 })).toThrow(/numClasses dividing/);
    expect(() => filterSpans({ probs: [[0.1, 0.9], [1]] })).toThrow(/row 1 has 1 values, expected 2/);
    expect(() => filterSpans({ probs, mask: [1] })).toThrow(/mask has 1 entries for 5 spans/);
  });
});
