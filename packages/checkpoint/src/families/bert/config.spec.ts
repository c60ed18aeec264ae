import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../../../tools/testing/shared';
import { bertConfigToJson, parseBertConfig } from './config';

describe('parseBertConfig', () => {
  it('reads the tiny-bert and SpERT fixture configs, keeping unknown fields', () => {
    const tiny = parseBertConfig(readFileSync(sharedPath('fixtures', 'tiny-bert', 'config.json'), 'utf8'));
    expect(tiny).toMatchObject({ vocab_size: 540, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 64, layer_norm_eps: 1e-12 });
    const spert = parseBertConfig(JSON.parse(readFileSync(sharedPath('fixtures', 'spert-scratch-conll04', 'config.json'), 'utf8')));
    expect(spert.extra.spert_version).toBe('1.1');
    expect(bertConfigToJson(spert)).toMatchObject({ spert_version: '1.1', hidden_size: 256, model_type: 'bert' });
    expect(parseBertConfig(bertConfigToJson(spert))).toEqual(spert);
  });

  it('rejects other model types, activations and bad fields by name', () => {
    const base = { vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16 };
    expect(() => parseBertConfig({ ...base, model_type: 'roberta' }, 'ckpt/config.json')).toThrow(/ckpt\/config\.json: model_type "roberta" is not supported/);
    expect(() => parseBertConfig({ ...base, hidden_act: 'relu' })).toThrow(/hidden_act "relu"/);
    expect(() => parseBertConfig({ ...base, hidden_size: 9 })).toThrow(/not a multiple of num_attention_heads/);
    expect(() => parseBertConfig({ ...base, vocab_size: undefined })).toThrow(/"vocab_size" must be a number/);
    expect(() => parseBertConfig('{oops')).toThrow(/not valid JSON/);
  });
});
