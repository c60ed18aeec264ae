// The post-LayerNorm encoder BERT and RoBERTa share as a standard-op ONNX graph: dynamic batch and
// sequence axes, exact (erf) GELU, LayerNormalization (opset 17), weights as initializers under
// readable names. A family supplies only its position ids (and its names); the rest lives here once.
import type { BuildEncoderOptions } from '../../family';
import { GraphBuilder } from '../../graph-builder';
import { layerTail, type LayerTailGraph } from '../layer-tail';
import { quantizedMatMul } from '../../quantize';
import { getWeight, transpose2d } from '../../weights';

/** What one post-LayerNorm family adds to the shared graph. */
export interface PostLnGraphFamily {
  /** The graph's name ("spert_bert_encoder"). */
  readonly graphName: string;
  /** Start of the model's doc string ("BERT encoder"). */
  readonly description: string;
  /**
   * Adds the int64 position ids to `g` (shape [sequence] or [batch, sequence]) from the graph's
   * input_ids and attention_mask, and returns their name; they index embeddings.position_embeddings.
   */
  positionIds(g: GraphBuilder, inputIds: string, attentionMask: string): string;
}

/**
 * Builds a post-LayerNorm encoder.onnx: inputs input_ids, attention_mask, optional token_type_ids
 * (int64 [batch, sequence]), output last_hidden_state (float32 [batch, sequence, hidden]).
 * `prefix` is required here: each family wrapper supplies its default.
 */
export function buildPostLnEncoderGraph(family: PostLnGraphFamily, { config, weights, prefix, quantization = 'none', tokenTypeIds = true }: BuildEncoderOptions & { prefix: string }): Uint8Array {
  const act = config.hidden_act ?? 'gelu';
  if (act !== 'gelu') throw new Error(`config.json: hidden_act "${act}" cannot be exported (only "gelu", the erf form)`);
  const H = config.hidden_size;
  const nH = config.num_attention_heads;
  if (H % nH !== 0) throw new Error(`config.json: hidden_size ${H} is not a multiple of num_attention_heads ${nH}`);
  const dH = H / nH;
  const I = config.intermediate_size;
  const g = new GraphBuilder(family.graphName);
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
    g.op('LayerNormalization', [x, init(`${name}.weight`, [H]), init(`${name}.bias`, [H])], { axis: -1, epsilon: { float: config.layer_norm_eps } });

  const dyn = ['batch', 'sequence'];
  const ids = g.input({ name: 'input_ids', type: 'int64', dims: dyn });
  const mask = g.input({ name: 'attention_mask', type: 'int64', dims: dyn });

  // Embeddings: word + position (the family's ids) + token type, then LayerNorm.
  const word = g.op('Gather', [init('embeddings.word_embeddings.weight', [config.vocab_size, H]), ids], { axis: 0 });
  const positions = family.positionIds(g, ids, mask);
  const pos = g.op('Gather', [init('embeddings.position_embeddings.weight', [config.max_position_embeddings, H]), positions], { axis: 0 });
  const typeTable = w('embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
  const tok = tokenTypeIds
    ? g.op('Gather', [g.floatTensor(`${prefix}embeddings.token_type_embeddings.weight`, [config.type_vocab_size, H], typeTable), g.input({ name: 'token_type_ids', type: 'int64', dims: dyn })], { axis: 0 })
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
  const tail: LayerTailGraph = { g, linear, layerNorm, mergeShape, gelu: { sqrtHalf, half, one: oneF } };

  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    const split = (t: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [t, headsShape])], { perm });
    const q = split(linear(x, `${p}.attention.self.query`, H, H), [0, 2, 1, 3]);
    const kT = split(linear(x, `${p}.attention.self.key`, H, H), [0, 2, 3, 1]);
    const v = split(linear(x, `${p}.attention.self.value`, H, H), [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), additive]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    x = layerTail(tail, probs, v, x, p, H, I);
  }
  g.output(x, { name: 'last_hidden_state', type: 'float32', dims: ['batch', 'sequence', H] });
  return g.toBytes(`${family.description} exported by @spert/onnx${quantization === 'int8' ? ' (int8 dynamic quantization)' : ''}`);
}
