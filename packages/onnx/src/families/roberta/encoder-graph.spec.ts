// The RoBERTa-family encoder.onnx against Hugging Face (tiny-roberta), a float64 re-computation
// and @spert/encoder's TF.js RobertaEncoder.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { makeRobertaConfig, nodeFs, parseRobertaConfig, SeededRandom, type CheckpointFs, type NamedTensor } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { sharedPath } from '../../../../../tools/testing/shared';
import { readCheckpointWeights } from '../../export-model';
import { bertForward64 } from '../../float64-reference';
import { describeOnnxEncoderConformance, maskedDiff, runEncoderGraph } from '../../testing/encoder-conformance';
import type { WeightMap } from '../../weights';
import { buildRobertaEncoderGraph } from './encoder-graph';

const tinyDir = (...f: string[]) => sharedPath('fixtures', 'tiny-roberta', ...f);
const hiding = (...names: string[]): CheckpointFs => ({ ...nodeFs, exists: async (f) => !names.includes(path.basename(f)) && nodeFs.exists(f) });

/** One weight file of the fixture, read as export reads a model directory (the other file hidden). */
async function fixtureWeights(file: string): Promise<WeightMap> {
  const weights = await readCheckpointWeights({ modelDir: tinyDir(), fs: hiding(file === 'model.safetensors' ? 'pytorch_model.bin' : 'model.safetensors') });
  expect(weights.has('roberta.embeddings.position_embeddings.weight')).toBe(true);
  expect(weights.has('lm_head.bias')).toBe(false);
  return weights;
}

describeOnnxEncoderConformance({
  name: 'RoBERTa encoder.onnx',
  fixture: {
    dir: tinyDir(),
    config: () => parseRobertaConfig(readFileSync(tinyDir('config.json'), 'utf8')),
    weights: [
      ['model.safetensors', () => fixtureWeights('model.safetensors')],
      ['pytorch_model.bin', () => fixtureWeights('pytorch_model.bin')],
    ],
    tokenTypes: 'none',
  },
  tfjs: [
    [
      'xlm-roberta, SpERT pads with id 0',
      () => makeRobertaConfig({ model_type: 'xlm-roberta', vocab_size: 300, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 66 }),
      (config) => {
        const encoder = createEncoder({ config, seed: 7 });
        const weights = new Map([...encoder.toTensors({ prefix: true })].map(([k, t]): [string, NamedTensor] => [k, t]));
        encoder.dispose();
        return weights;
      },
      { ids: [[0, 40, 41, 42, 43, 44, 45, 2], [0, 50, 60, 2, 0, 0, 0, 0]], mask: [[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0, 0]] },
    ],
  ],
  int8Tolerance: 0.2,
  tfjsTokenTypeInput: 'always',
});

describe('RoBERTa encoder.onnx', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('matches a float64 re-computation (BERT loops fed the RoBERTa position rows) on a padded batch with token types, with and without the token_type_ids input', async () => {
    const config = makeRobertaConfig({ vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 20, type_vocab_size: 2 });
    const rng = new SeededRandom(3);
    const weights: WeightMap = new Map();
    const encoder = createEncoder({ config, seed: 1 });
    for (const [k, t] of encoder.toTensors({ prefix: true, withoutPooler: true })) weights.set(k, { shape: t.shape, data: Float32Array.from(t.data, () => 0.3 * rng.normal() + (t.shape.length === 1 ? 0.1 : 0)) });
    encoder.dispose();
    const ids = [[0, 5, 7, 9, 11, 13, 2], [0, 8, 4, 2, 0, 0, 0]];
    const mask = [[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0]];
    const types = [[0, 0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 0, 0, 0]];
    const H = 16;
    const table = weights.get('roberta.embeddings.position_embeddings.weight')!.data;
    const reference = (typeRows: number[][]) => ids.map((row, b) => {
      const n = mask[b].filter(Boolean).length;
      // RoBERTa's positions of the n real tokens are pad + 1 .. pad + n: lay those rows out first.
      const shifted = new Map(weights);
      shifted.set('roberta.embeddings.position_embeddings.weight', { shape: [n, H], data: Float32Array.from({ length: n * H }, (_, i) => table[(config.pad_token_id + 1) * H + i]) });
      return bertForward64(config, shifted, row.slice(0, n), typeRows[b].slice(0, n), Array(n).fill(1), 'roberta.');
    });
    const withTypes = reference(types);
    expect(maskedDiff(await runEncoderGraph(buildRobertaEncoderGraph({ config, weights }), { ids, mask, types }), (b, t) => withTypes[b][t], mask, H).worst).toBeLessThan(1e-4);
    const zeros = reference(types.map((r) => r.map(() => 0)));
    const two = buildRobertaEncoderGraph({ config, weights, tokenTypeIds: false });
    expect(maskedDiff(await runEncoderGraph(two, { ids, mask }), (b, t) => zeros[b][t], mask, H).worst).toBeLessThan(1e-4);
  });

  it('refuses other model types, activations and a padding index without positions', () => {
    const config = { ...makeRobertaConfig({ vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8 }) };
    const weights: WeightMap = new Map();
    expect(() => buildRobertaEncoderGraph({ config: { ...config, model_type: 'bert' }, weights })).toThrow(/RoBERTa encoder graph: config has model_type "bert", expected one of "roberta", "xlm-roberta", "camembert"/);
    expect(() => buildRobertaEncoderGraph({ config: { ...config, hidden_act: 'relu' }, weights })).toThrow(/hidden_act "relu" cannot be exported/);
    expect(() => buildRobertaEncoderGraph({ config: { ...config, max_position_embeddings: 2 }, weights })).toThrow(/pad_token_id 1 leaves no position below max_position_embeddings 2/);
    expect(() => buildRobertaEncoderGraph({ config, weights })).toThrow(/checkpoint: missing parameter "roberta\.embeddings\.word_embeddings\.weight"/);
  });
});
