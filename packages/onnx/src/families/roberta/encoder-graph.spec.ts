// The RoBERTa-family encoder.onnx against Hugging Face (tiny-roberta), a float64 re-computation
// and @spert/encoder's TF.js RobertaEncoder.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeRobertaConfig, nodeFs, parseRobertaConfig, initRng, type CheckpointFs, type NamedTensor } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { maxAbsDiff } from '../../../../../tools/testing/float64';
import { sharedPath } from '../../../../../tools/testing/shared';
import { readCheckpointWeights } from '../../export-model';
import { buildEncoderGraph } from '../../export-encoder';
import { bertForward64 } from '../../float64-reference';
import type { WeightMap } from '../../weights';
import { buildRobertaEncoderGraph } from './encoder-graph';

const tinyDir = (...f: string[]) => sharedPath('fixtures', 'tiny-roberta', ...f);
const hiding = (...names: string[]): CheckpointFs => ({ ...nodeFs, exists: async (f) => !names.includes(path.basename(f)) && nodeFs.exists(f) });
const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

async function runGraph(bytes: Uint8Array, ids: number[][], mask: number[][], types?: number[][]): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(mask) };
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = i64(types ?? ids.map((r) => r.map(() => 0)));
    return (await session.run(feeds)).last_hidden_state.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Largest |got - want| over non-padded positions of a [B, T, H] output. */
function maskedDiff(got: Float32Array, want: (b: number, t: number) => ArrayLike<number>, mask: number[][], H: number): number {
  let worst = 0;
  const T = mask[0].length;
  mask.forEach((row, b) => row.forEach((m, t) => {
    if (m) worst = Math.max(worst, maxAbsDiff(got.subarray((b * T + t) * H, (b * T + t + 1) * H), want(b, t)));
  }));
  return worst;
}

describe('RoBERTa encoder.onnx', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it.each(['model.safetensors', 'pytorch_model.bin'])('reproduces the Hugging Face hidden states of tiny-roberta from %s within 1e-4', async (file) => {
    const e = JSON.parse(readFileSync(tinyDir('expected_hidden_states.json'), 'utf8')) as { input_ids: number[][]; attention_mask: number[][]; last_hidden_state: number[][][] };
    const config = parseRobertaConfig(readFileSync(tinyDir('config.json'), 'utf8'));
    const weights = await readCheckpointWeights({ modelDir: tinyDir(), fs: hiding(file === 'model.safetensors' ? 'pytorch_model.bin' : 'model.safetensors') });
    expect(weights.has('roberta.embeddings.position_embeddings.weight')).toBe(true);
    expect(weights.has('lm_head.bias')).toBe(false);
    const got = await runGraph(buildEncoderGraph({ config, weights }), e.input_ids, e.attention_mask);
    expect(maskedDiff(got, (b, t) => e.last_hidden_state[b][t], e.attention_mask, config.hidden_size)).toBeLessThanOrEqual(1e-4);
  });

  it('matches a float64 re-computation (BERT loops fed the RoBERTa position rows) on a padded batch with token types, with and without the token_type_ids input', async () => {
    const config = makeRobertaConfig({ vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 20, type_vocab_size: 2 });
    const rng = initRng(3);
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
    expect(maskedDiff(await runGraph(buildRobertaEncoderGraph({ config, weights }), ids, mask, types), (b, t) => withTypes[b][t], mask, H)).toBeLessThan(1e-4);
    const zeros = reference(types.map((r) => r.map(() => 0)));
    const two = buildRobertaEncoderGraph({ config, weights, tokenTypeIds: false });
    expect(maskedDiff(await runGraph(two, ids, mask), (b, t) => zeros[b][t], mask, H)).toBeLessThan(1e-4);
  });

  it('matches the TF.js RobertaEncoder within 1e-4 on a random xlm-roberta checkpoint (SpERT pads with id 0)', async () => {
    const config = makeRobertaConfig({ model_type: 'xlm-roberta', vocab_size: 300, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 66 });
    const encoder = createEncoder({ config, seed: 7 });
    const weights: WeightMap = new Map([...encoder.toTensors({ prefix: true })].map(([k, t]): [string, NamedTensor] => [k, t]));
    const ids = [[0, 40, 41, 42, 43, 44, 45, 2], [0, 50, 60, 2, 0, 0, 0, 0]];
    const mask = ids.map((r, b) => r.map((_, t) => (b === 0 || t < 4 ? 1 : 0)));
    const hidden = tf.tidy(() => encoder.apply({ inputIds: tf.tensor2d(ids, undefined, 'int32'), attentionMask: tf.tensor2d(mask, undefined, 'int32') }, { training: false }));
    const expected = (await hidden.data()) as Float32Array;
    hidden.dispose();
    encoder.dispose();
    const got = await runGraph(buildEncoderGraph({ config, weights }), ids, mask);
    expect(maskedDiff(got, (b, t) => expected.subarray((b * 8 + t) * 32, (b * 8 + t + 1) * 32), mask, 32)).toBeLessThan(1e-4);
    const int8 = await runGraph(buildEncoderGraph({ config, weights, quantization: 'int8' }), ids, mask);
    expect(maskedDiff(int8, (b, t) => expected.subarray((b * 8 + t) * 32, (b * 8 + t + 1) * 32), mask, 32)).toBeLessThan(0.2);
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
