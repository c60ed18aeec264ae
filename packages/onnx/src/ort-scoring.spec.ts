import { SPERT_DEFAULTS, type RelationContext } from '@spert/core';
import { relationHeadInputs, scoreSpansWithOrt, type OrtSessionLike, type OrtTensorLike } from './ort-scoring';

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

describe('scoreSpansWithOrt', () => {
  const session = (inputNames: string[]): OrtSessionLike<OrtTensorLike> => ({
    inputNames,
    run: () => Promise.reject(new Error('not to be run')),
  });
  class Tensor implements OrtTensorLike {
    constructor(readonly type: 'int64', readonly data: BigInt64Array, readonly dims: readonly number[]) {}
    dispose(): void {}
  }
  const input = {
    inputIds: { data: new Int32Array(3), shape: [1, 3] },
    attentionMask: { data: new Int32Array(3), shape: [1, 3] },
    spanRanges: { data: new Int32Array(2), shape: [1, 1, 2] },
    spanWidths: { data: new Int32Array(1), shape: [1, 1] },
  };
  const score = (relationContext: RelationContext, relationInputs: string[]) =>
    scoreSpansWithOrt(
      {
        sessions: { encoder: session(['input_ids']), entityHead: session([]), relationHead: session(relationInputs) },
        Tensor,
        settings: { ...SPERT_DEFAULTS, relationContext, types: { entities: [], relations: [] } },
        source: 'out/onnx',
      },
      input,
    );

  it('refuses graphs and config.json that disagree about the relation context before running anything', async () => {
    const reference = ['hidden_states', 'span_ranges', 'span_widths', 'pairs'];
    await expect(score('sentence', reference)).rejects.toThrow(
      `out/onnx: relation_head.onnx has no pair_contexts input but config.json's spert.relation_context is "sentence"`,
    );
    await expect(score('localized', [...reference, 'pair_contexts'])).rejects.toThrow(/takes pair_contexts input but config.json's spert.relation_context is "localized"/);
    // matching ones get as far as running the encoder
    await expect(score('cls', [...reference, 'pair_contexts'])).rejects.toThrow('not to be run');
    await expect(score('localized', reference)).rejects.toThrow('not to be run');
  });
});
