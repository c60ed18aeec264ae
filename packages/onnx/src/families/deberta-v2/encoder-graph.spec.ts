import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeDebertaV2Config, parseDebertaV2Config, readPytorchBin, readSafetensors, type DebertaV2ConfigFields, type NamedTensor } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { sharedPath } from '../../../../../tools/testing/shared';
import { buildEncoderGraph } from '../../export-encoder';
import { seededRandom } from '../../random-weights';
import { describeOnnxEncoderConformance } from '../../testing/encoder-conformance';
import type { WeightMap } from '../../weights';

const fixtureDir = path.dirname(sharedPath('fixtures', 'tiny-deberta-v3', 'config.json'));
const fixture = (f: string) => path.join(fixtureDir, f);
const readWeights = (file: string): WeightMap => {
  const bytes = new Uint8Array(readFileSync(fixture(file)));
  return file.endsWith('.bin') ? readPytorchBin(bytes, file) : readSafetensors(bytes, file).tensors;
};

/** A random DeBERTa-v2 checkpoint (deberta.* names) with non-trivial LayerNorm and biases. */
function randomCheckpoint(config: ReturnType<typeof makeDebertaV2Config>): Map<string, NamedTensor> {
  const rand = seededRandom(3);
  const encoder0 = createEncoder({ config, seed: 1 });
  const tensors = new Map<string, NamedTensor>();
  for (const [name, t] of encoder0.toTensors({ prefix: true })) tensors.set(name, { shape: t.shape, data: Float32Array.from(t.data, () => (rand() - 0.5) * 0.8 + (t.shape.length === 1 ? 0.3 : 0)) });
  encoder0.dispose();
  return tensors;
}

const small = (o: Partial<DebertaV2ConfigFields>) =>
  makeDebertaV2Config({ vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 24, position_buckets: 4, max_relative_positions: 12, ...o });

/** The TF.js comparison's batch: padding, and token types when the config has them. */
function batch(o: Partial<DebertaV2ConfigFields>) {
  const ids = [[1, 5, 9, 13, 22, 31, 7, 7, 3, 11, 2], [1, 8, 6, 2, 0, 0, 0, 0, 0, 0, 0]];
  const mask = ids.map((r) => r.map((id) => (id !== 0 ? 1 : 0)));
  const types = small(o).type_vocab_size > 0 ? ids.map((r, b) => r.map((_, t) => (t > 3 + b ? 1 : 0))) : undefined;
  return { ids, mask, types };
}

const tfjsCases: Array<[string, Partial<DebertaV2ConfigFields>]> = [
  ['DeBERTa-v3 shape, 4 buckets', {}],
  ['no buckets, own position projections, c2p only', { position_buckets: -1, max_relative_positions: 3, share_att_key: false, pos_att_type: ['c2p'], norm_rel_ebd: 'none' }],
  ['p2c only, absolute positions, token types', { share_att_key: false, pos_att_type: ['p2c'], position_biased_input: true, type_vocab_size: 2 }],
];

describeOnnxEncoderConformance({
  name: 'DeBERTa-v2 encoder.onnx',
  fixture: {
    dir: fixtureDir,
    config: () => parseDebertaV2Config(readFileSync(fixture('config.json'), 'utf8')),
    // deberta.* names, the head tensor ignored
    weights: [
      ['model.safetensors', () => readWeights('model.safetensors')],
      ['pytorch_model.bin', () => readWeights('pytorch_model.bin')],
    ],
    tokenTypes: 'zeros-and-none',
  },
  tfjs: tfjsCases.map(([title, o]) => [title, () => small(o), randomCheckpoint, batch(o)] as const),
  // int8 quantized MatMuls (the projections of the relative embeddings included) stay close: measured ~0.008 on these inputs
  int8Tolerance: 0.05,
  tfjsTokenTypeInput: 'when-typed',
});

describe('DeBERTa-v2 encoder.onnx', () => {
  it('names a missing tensor and refuses a BERT config', () => {
    const config = makeDebertaV2Config({ vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8 });
    expect(() => buildEncoderGraph({ config, weights: new Map() })).toThrow(/missing parameter "deberta\.embeddings\.word_embeddings\.weight"/);
    const json = { ...config, relative_attention: 'yes' }; // a config.json object: read and validated again
    expect(() => buildEncoderGraph({ config: json, weights: new Map() })).toThrow(/field "relative_attention" must be true or false/);
  });
});
