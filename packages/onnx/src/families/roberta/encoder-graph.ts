// The RoBERTa-family encoder (roberta, xlm-roberta, camembert) as a standard-op ONNX graph:
// BERT's layers, with position ids computed in the graph from the attention mask
// (pad_token_id + cumsum(mask) on real tokens, pad_token_id on padding) as Hugging Face does.
import { isRobertaModelType, ROBERTA_MODEL_TYPES, ROBERTA_PREFIX } from '@spert/checkpoint';
import type { BuildEncoderOptions, EncoderShape } from '../../family';
import { GraphBuilder } from '../../graph-builder';
import { quantizedMatMul } from '../../quantize';
import { getWeight, transpose2d } from '../../weights';

/** EncoderShape plus RoBERTa's padding index (a parsed RobertaConfig has it; Hugging Face's default is 1). */
export type RobertaEncoderShape = EncoderShape & { pad_token_id?: number };

/**
 * Builds a RoBERTa-family encoder.onnx: inputs input_ids, attention_mask, optional token_type_ids
 * (int64 [batch, sequence]), output last_hidden_state (float32 [batch, sequence, hidden]).
 */
export function buildRobertaEncoderGraph({ config, weights, prefix = ROBERTA_PREFIX, quantization = 'none', tokenTypeIds = true }: BuildEncoderOptions): Uint8Array {
  const c: RobertaEncoderShape = config;
  const modelType = c.model_type;
  if (!isRobertaModelType(modelType)) {
    throw new Error(`RoBERTa encoder graph: config has model_type ${JSON.stringify(modelType)}, expected one of ${Object.keys(ROBERTA_MODEL_TYPES).map((t) => `"${t}"`).join(', ')}`);
  }
  const act = c.hidden_act ?? 'gelu';
  if (act !== 'gelu') throw new Error(`config.json: hidden_act "${act}" cannot be exported (only "gelu", the erf form)`);
  const pad = c.pad_token_id ?? 1;
  if (!Number.isInteger(pad) || pad < 0 || pad + 1 >= c.max_position_embeddings) {
    throw new Error(`config.json: pad_token_id ${pad} leaves no position below max_position_embeddings ${c.max_position_embeddings}`);
  }
  const H = c.hidden_size;
  const nH = c.num_attention_heads;
  if (H % nH !== 0) throw new Error(`config.json: hidden_size ${H} is not a multiple of num_attention_heads ${nH}`);
  const dH = H / nH;
  const I = c.intermediate_size;
  const g = new GraphBuilder(`spert_${modelType.replace(/-/g, '_')}_encoder`);
  const w = (name: string, shape: number[]) => getWeight(weights, prefix + name, shape);
  const init = (name: string, shape: number[]) => g.floatTensor(prefix + name, shape, w(name, shape));
  // PyTorch Linear stores [out, in]; MatMul wants [in, out].
  const linear = (x: string, name: string, nIn: number, nOut: number): string => {
    const wt = transpose2d(w(`${name}.weight`, [nOut, nIn]), nOut, nIn);
    const product =
      quantization === 'int8'
        ? quantizedMatMul(g, x, `${prefix}${name}`, wt, nIn, nOut)
        : g.op('MatMul', [x, g.floatTensor(`${prefix}${name}.weight_t`, [nIn, nOut], wt)]);
    return g.op('Add', [product, init(`${name}.bias`, [nOut])]);
  };
  const layerNorm = (x: string, name: string): string =>
    g.op('LayerNormalization', [x, init(`${name}.weight`, [H]), init(`${name}.bias`, [H])], { axis: -1, epsilon: { float: c.layer_norm_eps } });

  const dyn = ['batch', 'sequence'];
  const ids = g.input({ name: 'input_ids', type: 'int64', dims: dyn });
  const mask = g.input({ name: 'attention_mask', type: 'int64', dims: dyn });

  // Embeddings: word + position(pad + cumsum(mask), pads at pad) + token type, then LayerNorm.
  const word = g.op('Gather', [init('embeddings.word_embeddings.weight', [c.vocab_size, H]), ids], { axis: 0 });
  const real = g.op('Cast', [g.op('Not', [g.op('Equal', [mask, g.intTensor('zero', [], [0])])])], { to: 7 }); // int64 0/1
  const counted = g.op('Mul', [g.op('CumSum', [real, g.intTensor('seq_axis', [], [1])]), real]);
  const positions = g.op('Add', [counted, g.intTensor('padding_idx', [], [pad])], {}, 'position_ids');
  const pos = g.op('Gather', [init('embeddings.position_embeddings.weight', [c.max_position_embeddings, H]), positions], { axis: 0 });
  const typeTable = w('embeddings.token_type_embeddings.weight', [c.type_vocab_size, H]);
  const tok = tokenTypeIds
    ? g.op('Gather', [g.floatTensor(`${prefix}embeddings.token_type_embeddings.weight`, [c.type_vocab_size, H], typeTable), g.input({ name: 'token_type_ids', type: 'int64', dims: dyn })], { axis: 0 })
    : g.floatTensor(`${prefix}embeddings.token_type_embeddings.row0`, [H], typeTable.subarray(0, H));
  let x = layerNorm(g.op('Add', [g.op('Add', [word, pos]), tok]), 'embeddings.LayerNorm');

  // Additive mask [B,1,1,T]: 0 where attended, float32 min where padded (as Hugging Face does).
  const maskF = g.op('Cast', [mask], { to: 1 });
  const inv = g.op('Sub', [g.scalar(1, 'one_f'), maskF]);
  const additive = g.op('Unsqueeze', [g.op('Mul', [inv, g.scalar(-3.4028234663852886e38, 'f32_min')]), g.intTensor('axes_1_2', [2], [1, 2])]);
  const headsShape = g.intTensor('heads_shape', [4], [0, 0, nH, dH]);
  const mergeShape = g.intTensor('merge_shape', [3], [0, 0, H]);
  const scale = g.scalar(1 / Math.sqrt(dH), 'attn_scale');
  const sqrtHalf = g.scalar(Math.SQRT1_2, 'sqrt_half');
  const half = g.scalar(0.5, 'half');
  const oneF = g.scalar(1, 'one_gelu');

  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    const split = (t: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [t, headsShape])], { perm });
    const q = split(linear(x, `${p}.attention.self.query`, H, H), [0, 2, 1, 3]);
    const kT = split(linear(x, `${p}.attention.self.key`, H, H), [0, 2, 3, 1]);
    const v = split(linear(x, `${p}.attention.self.value`, H, H), [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), additive]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), mergeShape]);
    x = layerNorm(g.op('Add', [linear(ctx, `${p}.attention.output.dense`, H, H), x]), `${p}.attention.output.LayerNorm`);
    const inter = linear(x, `${p}.intermediate.dense`, H, I);
    const erf = g.op('Erf', [g.op('Mul', [inter, sqrtHalf])]);
    const gelu = g.op('Mul', [g.op('Mul', [inter, half]), g.op('Add', [erf, oneF])]);
    x = layerNorm(g.op('Add', [linear(gelu, `${p}.output.dense`, I, H), x]), `${p}.output.LayerNorm`);
  }
  g.output(x, { name: 'last_hidden_state', type: 'float32', dims: ['batch', 'sequence', H] });
  return g.toBytes(`RoBERTa-family (${modelType}) encoder exported by @spert/onnx${quantization === 'int8' ? ' (int8 dynamic quantization)' : ''}`);
}
