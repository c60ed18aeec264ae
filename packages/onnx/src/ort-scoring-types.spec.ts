import { SPERT_DEFAULTS, type RelationEntityTypes } from '@spert/core';
import { relationHeadInputs, scoreSpansWithOrt, type OrtSessionLike, type OrtTensorLike } from './ort-scoring';

describe('relation_head.onnx inputs of a model that reads entity types', () => {
  it('gathers the predicted types of the used spans beside their ranges', () => {
    const spanRanges = { data: Int32Array.from([1, 2, 2, 4, 4, 5]), shape: [1, 3, 2] };
    const spanWidths = { data: Int32Array.from([1, 2, 1]), shape: [1, 3] };
    const spanTypes = { data: Int32Array.from([3, 0, 2]), shape: [1, 3] };
    const pairs = { data: Int32Array.from([2, 0, 0, 2]), shape: [1, 2, 2] };
    const r = relationHeadInputs(spanRanges, spanWidths, pairs, spanTypes);
    expect(r.spanTypes).toEqual({ data: Int32Array.from([3, 2]), shape: [1, 2] });
    expect(relationHeadInputs(spanRanges, spanWidths, pairs)).not.toHaveProperty('spanTypes');
  });

  it('refuses graphs and config.json that disagree about entity types before running anything', async () => {
    const session = (inputNames: string[]): OrtSessionLike<OrtTensorLike> => ({ inputNames, run: () => Promise.reject(new Error('not to be run')) });
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
    const reference = ['hidden_states', 'span_ranges', 'span_widths', 'pairs'];
    const score = (relationEntityTypes: RelationEntityTypes, relationInputs: string[]) =>
      scoreSpansWithOrt(
        {
          sessions: { encoder: session(['input_ids']), entityHead: session([]), relationHead: session(relationInputs) },
          Tensor,
          settings: { ...SPERT_DEFAULTS, relationEntityTypes, types: { entities: [], relations: [] } },
          source: 'out/onnx',
        },
        input,
      );
    await expect(score('embedding', reference)).rejects.toThrow(`out/onnx: relation_head.onnx has no span_types input but config.json's spert.relation_entity_types is "embedding"`);
    await expect(score('none', [...reference, 'span_types'])).rejects.toThrow(/takes span_types input but config.json's spert.relation_entity_types is "none"/);
    await expect(score('embedding', [...reference, 'span_types'])).rejects.toThrow('not to be run');
  });
});
