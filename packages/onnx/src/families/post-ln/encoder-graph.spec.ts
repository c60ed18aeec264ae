// The BERT and RoBERTa graphs are one post-LayerNorm graph that differs only in position ids:
// with RoBERTa's position rows pad+1.. copied to BERT's rows 0.., onnxruntime gives the same bits.
import * as ort from 'onnxruntime-node';
import { initRng } from '@spert/checkpoint';
import type { EncoderShape } from '../../family';
import type { WeightMap } from '../../weights';
import { sameBits } from '../../../../../tools/testing/float64';
import { buildBertEncoderGraph } from '../bert/encoder-graph';
import { buildRobertaEncoderGraph } from '../roberta/encoder-graph';

const shape: EncoderShape = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12, type_vocab_size: 2, layer_norm_eps: 1e-5 };
const H = shape.hidden_size;

function randomWeights(prefix: string): WeightMap {
  const rng = initRng(11);
  const m: WeightMap = new Map();
  const add = (name: string, dims: number[]) => m.set(prefix + name, { shape: dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => 0.3 * rng.normal()) });
  add('embeddings.word_embeddings.weight', [shape.vocab_size, H]);
  add('embeddings.position_embeddings.weight', [shape.max_position_embeddings, H]);
  add('embeddings.token_type_embeddings.weight', [shape.type_vocab_size, H]);
  const layerNorm = (name: string) => {
    add(`${name}.weight`, [H]);
    add(`${name}.bias`, [H]);
  };
  layerNorm('embeddings.LayerNorm');
  for (let l = 0; l < shape.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    const linear = (name: string, nIn: number, nOut: number) => {
      add(`${name}.weight`, [nOut, nIn]);
      add(`${name}.bias`, [nOut]);
    };
    for (const x of ['query', 'key', 'value']) linear(`${p}.attention.self.${x}`, H, H);
    linear(`${p}.attention.output.dense`, H, H);
    linear(`${p}.intermediate.dense`, H, shape.intermediate_size);
    linear(`${p}.output.dense`, shape.intermediate_size, H);
    layerNorm(`${p}.attention.output.LayerNorm`);
    layerNorm(`${p}.output.LayerNorm`);
  }
  return m;
}

async function run(bytes: Uint8Array, ids: number[][], types: number[][]): Promise<Float32Array> {
  const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
  // unoptimised: onnxruntime's fusions depend on how the position ids are built (1 ulp apart),
  // and this spec is about the layers the builder emits, which must be the same ops
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  try {
    const out = await session.run({ input_ids: i64(ids), attention_mask: i64(ids.map((r) => r.map(() => 1))), token_type_ids: i64(types) });
    return out.last_hidden_state.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('buildPostLnEncoderGraph', () => {
  it('gives BERT and RoBERTa the same layers: same bits once the position rows line up', async () => {
    const pad = 2;
    const roberta = randomWeights('roberta.');
    const bert: WeightMap = new Map([...roberta].map(([k, t]) => [k.replace(/^roberta\./, 'bert.'), t]));
    const table = roberta.get('roberta.embeddings.position_embeddings.weight')!;
    const moved = new Float32Array(table.data.length);
    moved.set((table.data as Float32Array).subarray((pad + 1) * H));
    bert.set('bert.embeddings.position_embeddings.weight', { shape: table.shape, data: moved });

    const ids = [[0, 5, 9, 17, 2], [0, 29, 4, 4, 2]];
    const types = [[0, 0, 1, 1, 1], [0, 1, 0, 1, 0]];
    const fromRoberta = await run(buildRobertaEncoderGraph({ config: { ...shape, model_type: 'camembert', pad_token_id: pad } as EncoderShape, weights: roberta }), ids, types);
    const fromBert = await run(buildBertEncoderGraph({ config: { ...shape, model_type: 'bert' }, weights: bert }), ids, types);
    expect(fromRoberta.length).toBe(2 * 5 * H);
    expect(sameBits(fromRoberta, fromBert)).toBe(true);
    // unshifted rows are a different model: the comparison above is not vacuous
    const unshifted = await run(buildBertEncoderGraph({ config: shape, weights: new Map([...bert, ['bert.embeddings.position_embeddings.weight', table]]) }), ids, types);
    expect(sameBits(unshifted, fromBert)).toBe(false);
  });
});
