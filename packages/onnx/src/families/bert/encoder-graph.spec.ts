// BERT's encoder.onnx against Hugging Face (tiny-bert) and @spert/encoder's TF.js BertEncoder.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeBertConfig, parseBertConfig, readPytorchBin, readSafetensors, type NamedTensor } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { sharedPath } from '../../../../../tools/testing/shared';
import { describeOnnxEncoderConformance } from '../../testing/encoder-conformance';

const dir = sharedPath('fixtures', 'tiny-bert');

describeOnnxEncoderConformance({
  name: 'BERT encoder.onnx',
  fixture: {
    dir,
    config: () => parseBertConfig(readFileSync(path.join(dir, 'config.json'), 'utf8')),
    weights: [
      ['model.safetensors', () => readSafetensors(new Uint8Array(readFileSync(path.join(dir, 'model.safetensors')))).tensors],
      ['pytorch_model.bin (legacy gamma/beta names)', () => readPytorchBin(new Uint8Array(readFileSync(path.join(dir, 'pytorch_model.bin'))))],
    ],
    tokenTypes: 'fixture',
  },
  tfjs: [
    [
      'padded batch, token types',
      () => makeBertConfig({ vocab_size: 300, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 64 }),
      (config) => {
        const encoder = createEncoder({ config, seed: 7 });
        const weights = new Map([...encoder.toTensors({ prefix: true })].map(([k, t]): [string, NamedTensor] => [k, t]));
        encoder.dispose();
        return weights;
      },
      { ids: [[2, 40, 41, 42, 43, 44, 45, 3], [2, 50, 60, 3, 0, 0, 0, 0]], mask: [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0, 0]], types: [[0, 0, 0, 0, 1, 1, 1, 1], [0, 1, 1, 0, 0, 0, 0, 0]] },
    ],
  ],
  // the post-LayerNorm graph RoBERTa shares, at the same sizes
  int8Tolerance: 0.2,
  tfjsTokenTypeInput: 'always',
});
