// BertEncoder and RobertaEncoder are one PostLnEncoder that differs only in position embeddings:
// with RoBERTa's position rows pad+1.. copied to BERT's rows 0.., the two give the same bits.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeBertConfig, makeRobertaConfig, type NamedTensor } from '@spert/checkpoint';
import { sameBits } from '../../../../../tools/testing/float64';
import { BertEncoder } from '../bert/bert-encoder';
import { RobertaEncoder } from '../roberta/roberta-encoder';

const sizes = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, type_vocab_size: 2, max_position_embeddings: 12, layer_norm_eps: 1e-5 };
const POS = 'embeddings.position_embeddings.weight';

/** RoBERTa's tensors with the position table moved so that BERT's row t is RoBERTa's row pad + 1 + t. */
function asBertTensors(roberta: RobertaEncoder): Map<string, NamedTensor> {
  const tensors = roberta.toTensors();
  const table = tensors.get(POS)!;
  const H = sizes.hidden_size;
  const shift = roberta.config.pad_token_id + 1;
  const moved = new Float32Array(table.data.length);
  moved.set((table.data as Float32Array).subarray(shift * H));
  tensors.set(POS, { shape: table.shape, data: moved });
  return tensors;
}

describe('PostLnEncoder', () => {
  it.each(['cpu', 'wasm'] as const)('BERT and RoBERTa share every op but the position rows (%s)', async (backend) => {
    await useBackend(backend);
    const roberta = RobertaEncoder.create({ config: makeRobertaConfig({ ...sizes, model_type: 'xlm-roberta', pad_token_id: 1 }), seed: 3 });
    const bert = BertEncoder.fromTensors(makeBertConfig(sizes), asBertTensors(roberta), { seed: 3 });
    try {
      // no padding: RoBERTa's ids are pad+1..pad+T for every row, BERT's 0..T-1
      const inputIds = tf.tensor2d([[0, 5, 9, 17, 2], [0, 29, 4, 4, 2]], undefined, 'int32');
      const attentionMask = tf.ones([2, 5], 'int32') as tf.Tensor2D;
      const tokenTypeIds = tf.tensor2d([[0, 0, 1, 1, 1], [0, 1, 0, 1, 0]], undefined, 'int32');
      for (const types of [undefined, tokenTypeIds]) {
        const inputs = { inputIds, attentionMask, tokenTypeIds: types };
        const r = roberta.apply(inputs, { training: false });
        const b = bert.apply(inputs, { training: false });
        expect(r.shape).toEqual([2, 5, sizes.hidden_size]);
        expect(sameBits(r.dataSync(), b.dataSync())).toBe(true);
        expect(sameBits(roberta.pool(r).dataSync(), bert.pool(b).dataSync())).toBe(true);
        // the same seed gives the same dropout masks in the same order
        expect(sameBits(roberta.apply(inputs, { training: true }).dataSync(), bert.apply(inputs, { training: true }).dataSync())).toBe(true);
      }
      // everything but the moved position table round-trips to the same tensors under each prefix
      const bt = bert.toTensors({ prefix: true });
      for (const [name, t] of roberta.toTensors({ prefix: true })) {
        const twin = bt.get(name.replace(/^roberta\./, 'bert.'))!;
        expect(twin.shape).toEqual(t.shape);
        if (!name.endsWith(POS)) expect(sameBits(twin.data, t.data)).toBe(true);
      }
      expect(bert.parameterCount()).toBe(roberta.parameterCount());
    } finally {
      bert.dispose();
      roberta.dispose();
    }
  });

  it('keeps each family in its error messages', () => {
    const roberta = RobertaEncoder.create({ config: makeRobertaConfig({ ...sizes, pad_token_id: 1 }) });
    const bert = BertEncoder.create({ config: makeBertConfig(sizes) });
    const row = (n: number) => tf.ones([1, n], 'int32') as tf.Tensor2D;
    expect(() => bert.apply({ inputIds: row(13), attentionMask: row(13) }, { training: false })).toThrow('BertEncoder.apply: sequence length 13 exceeds max_position_embeddings 12');
    expect(() => roberta.apply({ inputIds: row(11), attentionMask: row(11) }, { training: false })).toThrow(
      'RobertaEncoder.apply: sequence length 11 exceeds 10 (max_position_embeddings 12 - pad_token_id 1 - 1)',
    );
    const wrong = new Map(bert.toTensors({ prefix: true }));
    wrong.set('bert.embeddings.extra.weight', { shape: [1], data: new Float32Array(1) });
    expect(() => BertEncoder.create({ config: bert.config, weights: wrong })).toThrow('BERT weights do not match the config: unexpected tensor "bert.embeddings.extra.weight"');
    expect(() => RobertaEncoder.create({ config: roberta.config, weights: new Map([['roberta.pooler.dense.bias', wrong.get('bert.pooler.dense.bias')!]]) })).toThrow(
      /^RoBERTa \(roberta\) weights do not match the config: missing tensor "embeddings\.word_embeddings\.weight"/,
    );
    bert.dispose();
    roberta.dispose();
    expect(() => bert.variables()).toThrow('BertEncoder: used after dispose()');
    expect(() => roberta.toTensors()).toThrow('RobertaEncoder: used after dispose()');
  });
});
