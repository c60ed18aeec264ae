import { bertCheckpointFamily, makeBertConfig } from './families/bert';
import { checkpointFamily, encoderConfigToJson, encoderMaxLength, makeEncoderConfig, makeEncoderConfigForLength, parseEncoderConfig, registeredModelTypes, scratchModelTypes } from './registry';

const sizes = { vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 };

describe('checkpoint family registry', () => {
  it('registers BERT under model_type "bert"', () => {
    expect(registeredModelTypes()).toEqual(expect.arrayContaining(['bert', 'roberta', 'xlm-roberta', 'camembert', 'deberta-v2']));
    expect(checkpointFamily('bert')).toBe(bertCheckpointFamily);
    expect(bertCheckpointFamily.prefix).toBe('bert.');
  });

  it('refuses an unknown model_type, naming the source and listing the registered families', () => {
    expect(() => checkpointFamily('xlnet', 'ckpt/config.json')).toThrow(/^ckpt\/config\.json: model_type "xlnet" is not supported; registered encoder families: "bert"/);
    expect(() => parseEncoderConfig({ ...sizes, model_type: 'electra' }, 'm/config.json')).toThrow(/m\/config\.json: model_type "electra" is not supported; registered encoder families: "bert"/);
    expect(() => makeEncoderConfig({ ...sizes, model_type: 'electra' })).toThrow(/makeEncoderConfig: model_type "electra" is not supported/);
    expect(() => encoderConfigToJson({ ...makeBertConfig(sizes), model_type: 'xlnet' })).toThrow(/model_type "xlnet" is not supported/);
  });

  it('parses configs by their family, including BERT configs without model_type (accepted as "bert")', () => {
    const withType = parseEncoderConfig(JSON.stringify({ ...sizes, model_type: 'bert' }), 'a.json');
    const without = parseEncoderConfig(sizes, 'b.json');
    expect(without).toEqual(withType);
    expect(without.model_type).toBe('bert');
    expect(makeEncoderConfig(sizes)).toEqual(makeBertConfig(sizes));
    expect(encoderConfigToJson(without)).toMatchObject({ ...sizes, model_type: 'bert', architectures: ['BertModel'] });
    expect(() => parseEncoderConfig({ ...sizes, model_type: 7 }, 'c.json')).toThrow(/c\.json: field "model_type" must be a string, got 7/);
    expect(() => parseEncoderConfig('[1]', 'd.json')).toThrow(/d\.json: expected a JSON object/);
    expect(() => parseEncoderConfig('{', 'e.json')).toThrow(/^e\.json is not valid JSON: /);
  });

  it('gives the BERT family the parameter names and sequence limit of Hugging Face BertModel', () => {
    const config = makeBertConfig({ ...sizes, max_position_embeddings: 128 });
    expect(bertCheckpointFamily.maxSequenceLength(config)).toBe(128);
    expect(bertCheckpointFamily.encoderParamName('bert.encoder.layer.0.output.LayerNorm.gamma')).toBe('encoder.layer.0.output.LayerNorm.weight');
    expect(bertCheckpointFamily.isIgnoredTensor('cls.predictions.bias')).toBe(true);
    expect(bertCheckpointFamily.paramSpecs(config)).toHaveLength(5 + 16 + 2);
  });

  it('lets each family declare its position offset, longest input and scratch tokenizer trainer', () => {
    expect(scratchModelTypes()).toEqual(['bert', 'roberta', 'deberta-v2']);
    expect(registeredModelTypes().map((t) => checkpointFamily(t).tokenizerTrainer)).toEqual(['wordpiece', 'byte-level-bpe', undefined, undefined, 'unigram']);
    for (const modelType of registeredModelTypes()) {
      const config = makeEncoderConfigForLength({ ...sizes, model_type: modelType }, 40);
      expect(config.model_type).toBe(modelType);
      expect(encoderMaxLength(config)).toBe(40);
      expect(config.max_position_embeddings).toBe(40 + checkpointFamily(modelType).positionOffset(config));
    }
    // RoBERTa's position ids start at pad_token_id + 1
    expect(makeEncoderConfigForLength({ ...sizes, model_type: 'roberta' }, 40).max_position_embeddings).toBe(42);
    expect(makeEncoderConfigForLength({ ...sizes, model_type: 'bert' }, 40).max_position_embeddings).toBe(40);
  });
});
