import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeBertConfig, makeDebertaV2Config } from '@spert/checkpoint';
import { sameBits } from '../../../../tools/testing/float64';
import type { Encoder } from '../family';
import { BertEncoder } from './bert/bert-encoder';
import { DebertaV2Encoder } from './deberta-v2/deberta-v2-encoder';

// skipPadding: token rows only. Every token position, and every parameter gradient of a loss over
// token positions, must be bit for bit the padded computation's, with and without dropout (the
// masks of the token rows are the full tensor's); padding positions are zeros.

const sizes = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12, hidden_dropout_prob: 0.2, attention_probs_dropout_prob: 0.2 };
const families: Array<[string, () => Encoder]> = [
  ['BERT', () => BertEncoder.create({ config: makeBertConfig({ ...sizes, type_vocab_size: 2, layer_norm_eps: 1e-5 }), seed: 5 })],
  ['DeBERTa-v2 (relative attention, c2p and p2c)', () => DebertaV2Encoder.create({ config: makeDebertaV2Config({ ...sizes, position_buckets: 4, max_relative_positions: 8 }), seed: 5 })],
];
const ids = [[0, 5, 9, 17, 2, 1, 1], [0, 29, 4, 2, 1, 1, 1], [0, 7, 7, 8, 9, 11, 2]];
const mask = [[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]];
const H = sizes.hidden_size;

describe.each(families)('%s with skipPadding', (_name, create) => {
  it.each(['cpu', 'wasm'] as const)('gives the padded computation bit for bit at tokens, in outputs and gradients (%s)', async (backend) => {
    await useBackend(backend);
    const encoder = create();
    const inputIds = tf.tensor2d(ids, undefined, 'int32');
    const attentionMask = tf.tensor2d(mask, undefined, 'int32');
    const weights = tf.tensor3d(Array.from({ length: 3 * 7 * H }, (_, i) => Math.sin(i * 1.7)), [3, 7, H]);
    const tokens = tf.reshape(tf.tensor2d(mask, undefined, 'float32'), [3, 7, 1]);
    const vars = [...encoder.variables().values()].filter((v) => !v.name.includes('pooler'));
    try {
      for (const training of [false, true]) {
        const run = (skipPadding: boolean) => {
          const apply = () => encoder.apply({ inputIds, attentionMask }, { training, dropoutSeed: 11, skipPadding });
          const h = apply();
          const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.mul(apply(), weights), tokens)) as tf.Scalar, vars);
          const out = { h: h.dataSync() as Float32Array, loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name]?.dataSync() as Float32Array | undefined) };
          tf.dispose([h, value, ...Object.values(grads)]);
          return out;
        };
        const full = run(false);
        const packed = run(true);
        const m = mask.flat();
        for (let i = 0; i < full.h.length; i++) {
          const atToken = m[Math.floor(i / H)] === 1;
          if (atToken ? !Object.is(packed.h[i], full.h[i]) : packed.h[i] !== 0) throw new Error(`training ${training}: output ${i} is ${packed.h[i]}, the padded computation gives ${full.h[i]}`);
        }
        expect(packed.loss).toBe(full.loss);
        expect(full.grads.filter((g) => g !== undefined).length).toBeGreaterThan(10);
        vars.forEach((v, k) => {
          const [a, b] = [packed.grads[k], full.grads[k]];
          expect({ name: v.name, same: a === undefined || b === undefined ? a === b : sameBits(a, b) }).toEqual({ name: v.name, same: true });
        });
      }
    } finally {
      encoder.dispose();
      tf.dispose([inputIds, attentionMask, weights, tokens]);
    }
  });
});
