import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { useBackend } from '@spert/backend';
import { makeDebertaV2Config, parseDebertaV2Config, readPytorchBin, readSafetensors, type DebertaV2ConfigFields, type NamedTensor } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { sharedPath } from '../../../../../tools/testing/shared';
import { buildEncoderGraph } from '../../export-encoder';
import { createRng } from '@spert/core';
import type { WeightMap } from '../../weights';

const fixtureDir = path.dirname(sharedPath('fixtures', 'tiny-deberta-v3', 'config.json'));
const fixture = (f: string) => path.join(fixtureDir, f);
const expected = JSON.parse(readFileSync(fixture('expected_hidden_states.json'), 'utf8')) as {
  input_ids: number[][];
  attention_mask: number[][];
  last_hidden_state: number[][][];
};

const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

/** Largest |got - want| at non-padded positions; got is flat [B, T, H]. */
function maxDiff(got: Float32Array, want: ArrayLike<number>[][] | Float32Array, mask: number[][], H: number): number {
  const T = mask[0].length;
  let m = 0;
  for (let b = 0; b < mask.length; b++) {
    for (let t = 0; t < T; t++) {
      if (!mask[b][t]) continue;
      for (let h = 0; h < H; h++) {
        const w = want instanceof Float32Array ? want[(b * T + t) * H + h] : want[b][t][h];
        m = Math.max(m, Math.abs(got[(b * T + t) * H + h] - w));
      }
    }
  }
  return m;
}

async function runGraph(bytes: Uint8Array, ids: number[][], mask: number[][], types?: number[][]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(mask) };
    if (types) feeds.token_type_ids = i64(types);
    const out = await session.run(feeds);
    return out.last_hidden_state.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('DeBERTa-v2 encoder.onnx', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(['model.safetensors', 'pytorch_model.bin'])('reproduces the Hugging Face hidden states of tiny-deberta-v3 from %s within 1e-4 (deberta.* names, head tensor ignored)', async (file) => {
    const config = parseDebertaV2Config(readFileSync(fixture('config.json'), 'utf8'));
    const bytes = new Uint8Array(readFileSync(fixture(file)));
    const weights: WeightMap = file.endsWith('.bin') ? readPytorchBin(bytes, file) : readSafetensors(bytes, file).tensors;
    for (const tokenTypeIds of [true, false]) {
      const graph = buildEncoderGraph({ config, weights, tokenTypeIds });
      const types = tokenTypeIds ? expected.input_ids.map((r) => r.map(() => 0)) : undefined;
      const got = await runGraph(graph, expected.input_ids, expected.attention_mask, types);
      expect(maxDiff(got, expected.last_hidden_state, expected.attention_mask, 64)).toBeLessThanOrEqual(1e-4);
    }
  });

  it.each([
    ['DeBERTa-v3 shape, 4 buckets', {}],
    ['no buckets, own position projections, c2p only', { position_buckets: -1, max_relative_positions: 3, share_att_key: false, pos_att_type: ['c2p'], norm_rel_ebd: 'none' }],
    ['p2c only, absolute positions, token types', { share_att_key: false, pos_att_type: ['p2c'], position_biased_input: true, type_vocab_size: 2 }],
  ] as Array<[string, Partial<DebertaV2ConfigFields>]>)('matches the TF.js DebertaV2Encoder within 1e-4 on a random checkpoint: %s', async (_name, o) => {
    const config = makeDebertaV2Config({ vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 24, position_buckets: 4, max_relative_positions: 12, ...o });
    const rand = createRng(3);
    const encoder0 = createEncoder({ config, seed: 1 });
    const tensors = new Map<string, NamedTensor>();
    for (const [name, t] of encoder0.toTensors({ prefix: true })) tensors.set(name, { shape: t.shape, data: Float32Array.from(t.data, () => (rand() - 0.5) * 0.8 + (t.shape.length === 1 ? 0.3 : 0)) });
    encoder0.dispose();
    const encoder = createEncoder({ config, tensors });
    const ids = [[1, 5, 9, 13, 22, 31, 7, 7, 3, 11, 2], [1, 8, 6, 2, 0, 0, 0, 0, 0, 0, 0]];
    const mask = ids.map((r) => r.map((id) => (id !== 0 ? 1 : 0)));
    const types = config.type_vocab_size > 0 ? ids.map((r, b) => r.map((_, t) => (t > 3 + b ? 1 : 0))) : undefined;
    const want = tf.tidy(() => encoder.apply({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32'), tokenTypeIds: types ? tf.tensor2d(types, undefined, 'int32') : undefined }, { training: false }).dataSync() as Float32Array);
    encoder.dispose();
    const got = await runGraph(buildEncoderGraph({ config, weights: tensors, tokenTypeIds: types !== undefined }), ids, mask, types);
    expect(maxDiff(got, want, mask, 16)).toBeLessThanOrEqual(1e-4);
    // int8 quantized MatMuls (the projections of the relative embeddings included) stay close
    const q8 = await runGraph(buildEncoderGraph({ config, weights: tensors, tokenTypeIds: types !== undefined, quantization: 'int8' }), ids, mask, types);
    expect(maxDiff(q8, want, mask, 16)).toBeLessThan(0.05); // measured ~0.008 on these inputs
  });

  it('names a missing tensor and refuses a BERT config', () => {
    const config = makeDebertaV2Config({ vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 8 });
    expect(() => buildEncoderGraph({ config, weights: new Map() })).toThrow(/missing parameter "deberta\.embeddings\.word_embeddings\.weight"/);
    const json = { ...config, relative_attention: 'yes' }; // a config.json object: read and validated again
    expect(() => buildEncoderGraph({ config: json, weights: new Map() })).toThrow(/field "relative_attention" must be true or false/);
  });
});
