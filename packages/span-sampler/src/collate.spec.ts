import type { EncodedDocument } from '@spert/core';
import { collate } from './collate';
import { createEvalSample } from './eval-sample';
import type { SpanSample } from './types';

const sampleA: SpanSample = {
  inputIds: [2, 10, 11, 12, 3],
  spanWords: [[0, 1], [1, 3], [2, 3]],
  spanRanges: [[1, 2], [2, 4], [3, 4]],
  spanWidths: [1, 2, 1],
  spanLabels: [1, 0, 2],
  pairs: [[0, 2], [2, 0]],
  pairContexts: [[2, 3], [2, 3]],
  pairLabels: [[0, 1], [0, 0]],
  numRelationTypes: 2,
};
const sampleB: SpanSample = {
  inputIds: [2, 20, 3],
  spanWords: [[0, 1]],
  spanRanges: [[1, 2]],
  spanWidths: [1],
  spanLabels: [0],
  pairs: [],
  pairContexts: [],
  pairLabels: [],
  numRelationTypes: 2,
};

describe('collate', () => {
  it('pads to the longest sequence, span list and pair list with explicit shapes', () => {
    const b = collate([sampleA, sampleB]);
    expect(b.batchSize).toBe(2);
    expect(b.inputIds.shape).toEqual([2, 5]);
    expect(Array.from(b.inputIds.data)).toEqual([2, 10, 11, 12, 3, 2, 20, 3, 0, 0]);
    expect(Array.from(b.attentionMask.data)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(b.spanRanges.shape).toEqual([2, 3, 2]);
    expect(Array.from(b.spanRanges.data)).toEqual([1, 2, 2, 4, 3, 4, 1, 2, 0, 0, 0, 0]);
    expect(Array.from(b.spanWidths.data)).toEqual([1, 2, 1, 1, 0, 0]);
    expect(Array.from(b.spanLabels.data)).toEqual([1, 0, 2, 0, 0, 0]);
    expect(Array.from(b.spanMask.data)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(b.pairIndices.shape).toEqual([2, 2, 2]);
    expect(Array.from(b.pairIndices.data)).toEqual([0, 2, 2, 0, 0, 0, 0, 0]);
    expect(Array.from(b.pairContexts.data)).toEqual([2, 3, 2, 3, 0, 0, 0, 0]);
    expect(b.pairLabels.shape).toEqual([2, 2, 2]);
    expect(Array.from(b.pairLabels.data)).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(b.pairMask.data)).toEqual([1, 1, 0, 0]);
    expect(b.spanWords).toEqual([sampleA.spanWords, sampleB.spanWords]);
  });

  it('adds one masked dummy span and pair row when no sample has any', () => {
    const empty: SpanSample = { ...sampleB, spanWords: [], spanRanges: [], spanWidths: [], spanLabels: [] };
    const b = collate([empty]);
    expect(b.spanRanges.shape).toEqual([1, 1, 2]);
    expect(Array.from(b.spanMask.data)).toEqual([0]);
    expect(Array.from(b.spanWidths.data)).toEqual([0]);
    expect(b.pairIndices.shape).toEqual([1, 1, 2]);
    expect(b.pairLabels.shape).toEqual([1, 1, 2]);
    expect(Array.from(b.pairMask.data)).toEqual([0]);
  });

  it('collates evaluation samples (all candidate spans, no pairs)', () => {
    const enc: EncodedDocument = { inputIds: [2, 5, 6, 7, 3], wordRanges: [[1, 3], [3, 4]] };
    const s = createEvalSample({ encoding: enc, numRelationTypes: 2 });
    expect(s.spanWords).toEqual([[0, 1], [1, 2], [0, 2]]);
    expect(s.spanRanges).toEqual([[1, 3], [3, 4], [1, 4]]);
    expect(s.spanWidths).toEqual([1, 1, 2]);
    const b = collate([s, sampleA]);
    expect(b.spanRanges.shape).toEqual([2, 3, 2]);
    expect(Array.from(b.pairMask.data)).toEqual([0, 0, 1, 1]);
  });

  it('rejects inconsistent samples', () => {
    expect(() => collate([])).toThrow(/at least one sample/);
    expect(() => collate([sampleA, { ...sampleB, numRelationTypes: 3 }])).toThrow(/sample 1 has 3 relation types/);
    expect(() => collate([{ ...sampleA, pairs: [[0, 5], [2, 0]] }])).toThrow(/sample 0, pair 0 indexes a missing span/);
    expect(() => collate([{ ...sampleA, pairLabels: [[1], [0]] }])).toThrow(/pair 0 has 1 labels, expected 2/);
  });
});
