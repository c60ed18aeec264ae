import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeBertConfig, makeDebertaV2Config } from '@spert/checkpoint';
import { sameBits } from '../../../../tools/testing/float64';
import type { Encoder } from '../family';
import { BertEncoder } from './bert/bert-encoder';
import { DebertaV2Encoder } from './deberta-v2/deberta-v2-encoder';

// skipPadding: token rows only. Every token position, and every parameter gradient of a loss over
// token positions, must be the padded computation's, with and without dropout (the masks of the
// token rows are the full tensor's); padding positions are zeros. Bit for bit where attention runs
// on the padded layout (DeBERTa-v2; BERT when a sentence's tokens are not a prefix of its row); BERT
// on right-padded rows runs the fused packed attention, whose softmax exp differs from tfjs's in
// the last bits: within 2e-6 relative there (measured: at most 2.4e-7), every other step unchanged.

const sizes = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12, hidden_dropout_prob: 0.2, attention_probs_dropout_prob: 0.2 };
const bert = () => BertEncoder.create({ config: makeBertConfig({ ...sizes, type_vocab_size: 2, layer_norm_eps: 1e-5 }), seed: 5 });
const rightPadded = [[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]];
// the second row's tokens do not start at position 0: attention unpacks to the padded layout
const notPrefix = [[1, 1, 1, 1, 1, 0, 0], [0, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]];
const families: Array<[string, () => Encoder, number[][], number]> = [
  ['BERT (fused packed attention)', bert, rightPadded, 2e-6],
  ['BERT (attention on the padded layout)', bert, notPrefix, 0],
  ['DeBERTa-v2 (relative attention, c2p and p2c)', () => DebertaV2Encoder.create({ config: makeDebertaV2Config({ ...sizes, position_buckets: 4, max_relative_positions: 8 }), seed: 5 }), rightPadded, 0],
];
const ids = [[0, 5, 9, 17, 2, 1, 1], [0, 29, 4, 2, 1, 1, 1], [0, 7, 7, 8, 9, 11, 2]];
const H = sizes.hidden_size;

/** Whether a equals b bit for bit (tolerance 0) or within tolerance relative to max(|b|, 1). */
const agrees = (a: number, b: number, tolerance: number) => (tolerance === 0 ? Object.is(a, b) : Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)));

describe.each(families)('%s with skipPadding', (_name, create, mask, tolerance) => {
  it.each(['cpu', 'wasm'] as const)(`gives the padded computation at tokens, in outputs and gradients (%s; ${tolerance === 0 ? 'bit for bit' : `within ${tolerance} relative`})`, async (backend) => {
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
          if (atToken ? !agrees(packed.h[i], full.h[i], tolerance) : packed.h[i] !== 0) throw new Error(`training ${training}: output ${i} is ${packed.h[i]}, the padded computation gives ${full.h[i]}`);
        }
        expect(agrees(packed.loss, full.loss, tolerance)).toBe(true);
        expect(full.grads.filter((g) => g !== undefined).length).toBeGreaterThan(10);
        vars.forEach((v, k) => {
          const [a, b] = [packed.grads[k], full.grads[k]];
          const same = a === undefined || b === undefined ? a === b : tolerance === 0 ? sameBits(a, b) : a.every((x, i) => agrees(x, b[i], tolerance));
          expect({ name: v.name, same }).toEqual({ name: v.name, same: true });
        });
      }
    } finally {
      encoder.dispose();
      tf.dispose([inputIds, attentionMask, weights, tokens]);
    }
  });
});
