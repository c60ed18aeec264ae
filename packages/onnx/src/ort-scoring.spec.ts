import { relationHeadInputs } from './ort-scoring';

describe('relationHeadInputs', () => {
  it('gathers the spans the pairs use, per document, and rewrites the pairs as indices into them', () => {
    // Two documents, three candidate spans each; document 1 has one padding pair [0, 0].
    const spanRanges = { data: Int32Array.from([1, 2, 2, 4, 4, 5, 1, 3, 3, 4, 4, 6]), shape: [2, 3, 2] };
    const spanWidths = { data: Int32Array.from([1, 2, 1, 2, 1, 2]), shape: [2, 3] };
    const pairs = { data: Int32Array.from([2, 0, 0, 2, 1, 2, 0, 0]), shape: [2, 2, 2] };
    const r = relationHeadInputs(spanRanges, spanWidths, pairs);
    expect(r.spanRanges.shape).toEqual([2, 3, 2]);
    // Document 0 uses spans 0 and 2 (K=2, padded to the batch's 3 with zeros); document 1 uses 0, 1, 2.
    expect(Array.from(r.spanRanges.data)).toEqual([1, 2, 4, 5, 0, 0, 1, 3, 3, 4, 4, 6]);
    expect(Array.from(r.spanWidths.data)).toEqual([1, 1, 0, 2, 1, 2]);
    expect(Array.from(r.pairs.data)).toEqual([1, 0, 0, 1, 1, 2, 0, 0]);
    expect(r.pairs.shape).toEqual([2, 2, 2]);
  });

  it('keeps one span row when a batch has no pairs', () => {
    const r = relationHeadInputs({ data: new Int32Array(2), shape: [1, 1, 2] }, { data: new Int32Array(1), shape: [1, 1] }, { data: new Int32Array(0), shape: [1, 0, 2] });
    expect(r.spanRanges.shape).toEqual([1, 1, 2]);
    expect(r.pairs.shape).toEqual([1, 0, 2]);
  });
});
