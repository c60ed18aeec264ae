import { makeBertConfig } from '@spert/checkpoint';
import { useBackend } from '@spert/backend';
import { BertEncoder } from './families/bert';
import { createEncoder, encoderFamily, registeredEncoderTypes } from './registry';

const config = () => makeBertConfig({ vocab_size: 20, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 });

beforeAll(async () => {
  await useBackend('cpu');
});

describe('encoder family registry', () => {
  it('registers BERT and builds a BertEncoder for model_type "bert", from a seed or from tensors', () => {
    expect(registeredEncoderTypes()).toEqual(expect.arrayContaining(['bert', 'roberta', 'xlm-roberta', 'camembert', 'deberta-v2']));
    expect(encoderFamily('bert').modelType).toBe('bert');
    const a = createEncoder({ config: config(), seed: 3 });
    expect(a).toBeInstanceOf(BertEncoder);
    const b = createEncoder({ config: config(), tensors: a.toTensors({ prefix: true }), seed: 9 });
    const ta = a.toTensors();
    for (const [k, t] of b.toTensors()) expect(Array.from(t.data)).toEqual(Array.from(ta.get(k)!.data));
    expect(b.parameterCount()).toBe(a.parameterCount());
    a.dispose();
    b.dispose();
  });

  it('refuses an unknown model_type with the list of registered families', () => {
    expect(() => createEncoder({ config: { ...config(), model_type: 'xlnet' } })).toThrow(
      /createEncoder: model_type "xlnet" is not supported; registered encoder families: "bert"/,
    );
    expect(() => encoderFamily('xlnet', 'model.json')).toThrow(/^model\.json: model_type "xlnet" is not supported; registered encoder families: "bert", /);
    expect(encoderFamily('deberta-v2').modelType).toBe('deberta-v2');
  });
});
