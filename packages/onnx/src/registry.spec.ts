import { registeredModelTypes } from '@spert/checkpoint';
import { registeredEncoderTypes } from '@spert/encoder';
import { buildEncoderGraph, type EncoderShape } from './export-encoder';
import { buildBertEncoderGraph } from './families/bert';
import { randomSpertWeights } from './random-weights';
import { onnxEncoderFamily, registeredOnnxEncoderTypes } from './registry';

const config: EncoderShape = { vocab_size: 20, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12, type_vocab_size: 2, layer_norm_eps: 1e-12 };

describe('ONNX encoder family registry', () => {
  it('registers BERT; buildEncoderGraph picks it for model_type "bert" and for configs without model_type', () => {
    expect(registeredOnnxEncoderTypes()).toEqual(expect.arrayContaining(['bert', 'roberta', 'xlm-roberta', 'camembert', 'deberta-v2']));
    const weights = randomSpertWeights({ config, entityClasses: 3, relationTypes: 2 });
    const direct = buildBertEncoderGraph({ config, weights });
    expect(Buffer.from(buildEncoderGraph({ config, weights })).equals(Buffer.from(direct))).toBe(true);
    expect(Buffer.from(buildEncoderGraph({ config: { ...config, model_type: 'bert' }, weights })).equals(Buffer.from(direct))).toBe(true);
  });

  it('refuses an unknown model_type with the list of registered families', () => {
    const weights = randomSpertWeights({ config, entityClasses: 3, relationTypes: 2 });
    expect(() => buildEncoderGraph({ config: { ...config, model_type: 'xlnet' }, weights })).toThrow(
      /config\.json: model_type "xlnet" cannot be exported to ONNX; registered encoder families: "bert"/,
    );
    expect(() => onnxEncoderFamily('xlnet', 'm/config.json')).toThrow(/^m\/config\.json: model_type "xlnet" cannot be exported to ONNX; registered encoder families: "bert", /);
    expect(onnxEncoderFamily('deberta-v2').modelType).toBe('deberta-v2');
    expect(() => buildBertEncoderGraph({ config: { ...config, model_type: 'electra' }, weights })).toThrow(/model_type "electra", expected "bert"/);
  });

  it('lists the same model_types, in the same order, as the checkpoint (tensor-free) and TF.js registries', () => {
    // a family is one descriptor per layer: a half registered in one layer only is a family that loads but cannot train or export
    expect(registeredOnnxEncoderTypes()).toEqual(registeredModelTypes());
    expect(registeredEncoderTypes()).toEqual(registeredModelTypes());
  });
});
