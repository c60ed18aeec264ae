// The DeBERTa-v2/v3 encoder as a standard-op ONNX graph: disentangled attention whose c2p and p2c
// terms gather from per-head products with the relative embeddings, at relative-position rows
// computed once by @spert/checkpoint and looked up by offset (q - k) for any sequence length.
import {
  checkpointFamily,
  normsRelativeEmbeddings,
  parseDebertaV2Config,
  relativeEmbeddingRowsByOffset,
  relativeGeometry,
  type DebertaV2Config,
} from '@spert/checkpoint';
import type { BuildEncoderOptions, EncoderShape } from '../../family';
import { GraphBuilder } from '../../graph-builder';
import { layerTail, type LayerTailGraph } from '../layer-tail';
import { quantizedMatMul } from '../../quantize';
import { getWeight, transpose2d } from '../../weights';

/** The full DeBERTa-v2 config behind an EncoderShape (a parsed config, or a config.json object), validated. */
function debertaConfig(config: EncoderShape): DebertaV2Config {
  const { extra, ...known } = config as EncoderShape & { extra?: Record<string, unknown> };
  return parseDebertaV2Config({ ...(extra ?? {}), ...known, model_type: known.model_type }, 'DeBERTa-v2 encoder graph config');
}

/**
 * Builds DeBERTa-v2's encoder.onnx: inputs input_ids, attention_mask, optional token_type_ids
 * (int64 [batch, sequence]; token types are read only when type_vocab_size > 0, as HF does),
 * output last_hidden_state (float32 [batch, sequence, hidden]; padded rows not meaningful).
 */
export function buildDebertaV2EncoderGraph({ config: shape, weights, prefix = checkpointFamily('deberta-v2').prefix, quantization = 'none', tokenTypeIds = true }: BuildEncoderOptions): Uint8Array {
  const config = debertaConfig(shape);
  const H = config.hidden_size;
  const nH = config.num_attention_heads;
  const dH = H / nH;
  const I = config.intermediate_size;
  const c2p = config.relative_attention && config.pos_att_type.includes('c2p');
  const p2c = config.relative_attention && config.pos_att_type.includes('p2c');
  const { span } = relativeGeometry(config);
  const maxLength = checkpointFamily<DebertaV2Config>('deberta-v2').maxSequenceLength(config);
  const g = new GraphBuilder('spert_deberta_v2_encoder');
  const w = (name: string, shape: number[]) => getWeight(weights, prefix + name, shape);
  const init = (name: string, shape: number[]) => g.floatTensor(prefix + name, shape, w(name, shape));
  // One initializer per weight even when a projection is used twice (share_att_key).
  const products = new Map<string, (x: string) => string>();
  const linear = (x: string, name: string, nIn: number, nOut: number): string => {
    let product = products.get(name);
    if (!product) {
      const wt = transpose2d(w(`${name}.weight`, [nOut, nIn]), nOut, nIn);
      const bias = init(`${name}.bias`, [nOut]);
      if (quantization === 'int8') {
        const times = (input: string) => quantizedMatMul(g, input, `${prefix}${name}`, wt, nIn, nOut);
        product = (input) => g.op('Add', [times(input), bias]);
      } else {
        const wName = g.floatTensor(`${prefix}${name}.weight_t`, [nIn, nOut], wt);
        product = (input) => g.op('Add', [g.op('MatMul', [input, wName]), bias]);
      }
      products.set(name, product);
    }
    return product(x);
  };
  const layerNorm = (x: string, name: string): string =>
    g.op('LayerNormalization', [x, init(`${name}.weight`, [H]), init(`${name}.bias`, [H])], { axis: -1, epsilon: { float: config.layer_norm_eps } });

  const dyn = ['batch', 'sequence'];
  const ids = g.input({ name: 'input_ids', type: 'int64', dims: dyn });
  const mask = g.input({ name: 'attention_mask', type: 'int64', dims: dyn });
  const types = tokenTypeIds ? g.input({ name: 'token_type_ids', type: 'int64', dims: dyn }) : undefined;
  const zero = g.intTensor('zero', [], [0]);
  const one = g.intTensor('one', [], [1]);
  const seqLen = g.op('Gather', [g.op('Shape', [ids]), one], { axis: 0 });
  const positions = g.op('Range', [zero, seqLen, one]);

  // Embeddings: word (+ absolute positions) (+ token types), LayerNorm, then padded rows zeroed.
  let emb = g.op('Gather', [init('embeddings.word_embeddings.weight', [config.vocab_size, H]), ids], { axis: 0 });
  if (config.position_biased_input) emb = g.op('Add', [emb, g.op('Gather', [init('embeddings.position_embeddings.weight', [config.max_position_embeddings, H]), positions], { axis: 0 })]);
  if (config.type_vocab_size > 0) {
    const table = w('embeddings.token_type_embeddings.weight', [config.type_vocab_size, H]);
    const tok = types
      ? g.op('Gather', [g.floatTensor(`${prefix}embeddings.token_type_embeddings.weight`, [config.type_vocab_size, H], table), types], { axis: 0 })
      : g.floatTensor(`${prefix}embeddings.token_type_embeddings.row0`, [H], table.subarray(0, H));
    emb = g.op('Add', [emb, tok]);
  }
  const maskF = g.op('Cast', [mask], { to: 1 });
  let x = g.op('Mul', [layerNorm(emb, 'embeddings.LayerNorm'), g.op('Unsqueeze', [maskF, g.intTensor('axis_last', [1], [-1])])]);

  // Additive mask over keys [B,1,1,T]: float32 min where padded (padded query rows are not meaningful).
  const inv = g.op('Sub', [g.scalar(1, 'one_f'), maskF]);
  const additive = g.op('Unsqueeze', [g.op('Mul', [inv, g.scalar(-3.4028234663852886e38, 'f32_min')]), g.intTensor('axes_1_2', [2], [1, 2])]);
  const headsShape = g.intTensor('heads_shape', [4], [0, 0, nH, dH]);
  const mergeShape = g.intTensor('merge_shape', [3], [0, 0, H]);
  const scale = g.scalar(1 / Math.sqrt(dH * (1 + config.pos_att_type.length)), 'attn_scale');
  const sqrtHalf = g.scalar(Math.SQRT1_2, 'sqrt_half');
  const half = g.scalar(0.5, 'half');
  const oneF = g.scalar(1, 'one_gelu');
  const tail: LayerTailGraph = { g, linear, layerNorm, mergeShape, gelu: { sqrtHalf, half, one: oneF } };

  // Relative part: layer-normed embeddings [2 span, H] and flat gather indices [T, T] into the
  // per-head [T, 2 span] products: c2p at (q, row(q-k)), p2c at (k, row(q-k)).
  let relE: string | undefined;
  let c2pIndex: string | undefined;
  let p2cIndex: string | undefined;
  const relHeadsShape = g.intTensor('rel_heads_shape', [3], [2 * span, nH, dH]);
  const flatShape = g.intTensor('flat_shape', [3], [0, 0, -1]);
  if (c2p || p2c) {
    const table = init('encoder.rel_embeddings.weight', [2 * span, H]);
    relE = normsRelativeEmbeddings(config) ? layerNorm(table, 'encoder.LayerNorm') : table;
    const rowsByOffset = g.intTensor('relative_rows_by_offset', [2 * maxLength - 1], Array.from(relativeEmbeddingRowsByOffset(config, maxLength)));
    const qCol = g.op('Unsqueeze', [positions, g.intTensor('axis_1', [1], [1])]); // [T, 1]
    const kRow = g.op('Unsqueeze', [positions, g.intTensor('axis_0', [1], [0])]); // [1, T]
    const offset = g.op('Add', [g.op('Sub', [qCol, kRow]), g.intTensor('offset_base', [], [maxLength - 1])]);
    const rows = g.op('Gather', [rowsByOffset, offset], { axis: 0 }); // [T, T]
    const width = g.intTensor('two_span', [], [2 * span]);
    c2pIndex = g.op('Add', [g.op('Mul', [qCol, width]), rows]);
    p2cIndex = g.op('Add', [g.op('Mul', [kRow, width]), rows]);
  }
  // [B,nH,T,dH] content against [2 span, H] projected relative embeddings, gathered to [B,nH,T,T]
  const relativeTerm = (content: string, pos: string, index: string) => {
    const posT = g.op('Transpose', [g.op('Reshape', [pos, relHeadsShape])], { perm: [1, 2, 0] }); // [nH, dH, 2 span]
    const all = g.op('MatMul', [content, posT]); // [B, nH, T, 2 span]
    return g.op('Gather', [g.op('Reshape', [all, flatShape]), index], { axis: 2 });
  };

  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    const a = `${p}.attention.self`;
    const split = (t: string) => g.op('Transpose', [g.op('Reshape', [t, headsShape])], { perm: [0, 2, 1, 3] });
    const q = split(linear(x, `${a}.query_proj`, H, H));
    const k = split(linear(x, `${a}.key_proj`, H, H));
    const v = split(linear(x, `${a}.value_proj`, H, H));
    let scores = g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
    if (c2p && relE && c2pIndex) scores = g.op('Add', [scores, relativeTerm(q, linear(relE, config.share_att_key ? `${a}.key_proj` : `${a}.pos_key_proj`, H, H), c2pIndex)]);
    if (p2c && relE && p2cIndex) scores = g.op('Add', [scores, relativeTerm(k, linear(relE, config.share_att_key ? `${a}.query_proj` : `${a}.pos_query_proj`, H, H), p2cIndex)]);
    const probs = g.op('Softmax', [g.op('Add', [g.op('Mul', [scores, scale]), additive])], { axis: -1 });
    x = layerTail(tail, probs, v, x, p, H, I);
  }
  g.output(x, { name: 'last_hidden_state', type: 'float32', dims: ['batch', 'sequence', H] });
  return g.toBytes(`DeBERTa-v2 encoder exported by @spert/onnx${quantization === 'int8' ? ' (int8 dynamic quantization)' : ''}`);
}
