import { makeBertConfig } from './config';
import { bertParamSpecs, encoderParamName, isIgnoredCheckpointTensor } from './names';

describe('checkpoint names', () => {
  it('maps prefixed, unprefixed and legacy LayerNorm names to encoder names', () => {
    expect(encoderParamName('bert.encoder.layer.3.output.LayerNorm.gamma')).toBe('encoder.layer.3.output.LayerNorm.weight');
    expect(encoderParamName('embeddings.LayerNorm.beta')).toBe('embeddings.LayerNorm.bias');
    expect(encoderParamName('bert.pooler.dense.weight')).toBe('pooler.dense.weight');
    expect(encoderParamName('entity_classifier.weight')).toBeNull();
    expect(encoderParamName('size_embeddings.weight')).toBeNull();
  });

  it('ignores pretraining heads and buffers only', () => {
    for (const n of ['cls.predictions.bias', 'bert.cls.seq_relationship.weight', 'bert.embeddings.position_ids', 'embeddings.token_type_ids']) expect(isIgnoredCheckpointTensor(n)).toBe(true);
    for (const n of ['bert.embeddings.position_embeddings.weight', 'rel_classifier.bias']) expect(isIgnoredCheckpointTensor(n)).toBe(false);
  });

  it('lists the 16 tensors per layer, embeddings and pooler of BertModel', () => {
    const specs = bertParamSpecs(makeBertConfig({ vocab_size: 10, hidden_size: 4, num_hidden_layers: 3, num_attention_heads: 2, intermediate_size: 6 }));
    expect(specs).toHaveLength(5 + 3 * 16 + 2);
    expect(specs.find((s) => s.name === 'encoder.layer.2.intermediate.dense.weight')).toEqual({ name: 'encoder.layer.2.intermediate.dense.weight', shape: [6, 4], layout: 'linear' });
  });
});
