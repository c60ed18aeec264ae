// The RoBERTa-family encoder (roberta, xlm-roberta, camembert) as a standard-op ONNX graph: the
// shared post-LayerNorm graph, with position ids computed in the graph from the attention mask
// (pad_token_id + cumsum(mask) on real tokens, pad_token_id on padding) as Hugging Face does.
import { checkpointFamily, ROBERTA_MODEL_TYPES } from '@spert/checkpoint';
import type { BuildEncoderOptions, EncoderShape } from '../../family';
import { buildPostLnEncoderGraph, type PostLnGraphFamily } from '../post-ln/encoder-graph';

/** EncoderShape plus RoBERTa's padding index (a parsed RobertaConfig has it; Hugging Face's default is 1). */
export type RobertaEncoderShape = EncoderShape & { pad_token_id?: number };

/**
 * Builds a RoBERTa-family encoder.onnx: inputs input_ids, attention_mask, optional token_type_ids
 * (int64 [batch, sequence]), output last_hidden_state (float32 [batch, sequence, hidden]).
 */
export function buildRobertaEncoderGraph({ prefix = checkpointFamily('roberta').prefix, ...options }: BuildEncoderOptions): Uint8Array {
  const c: RobertaEncoderShape = options.config;
  const modelType = c.model_type;
  if (modelType === undefined || !Object.prototype.hasOwnProperty.call(ROBERTA_MODEL_TYPES, modelType)) {
    throw new Error(`RoBERTa encoder graph: config has model_type ${JSON.stringify(modelType)}, expected one of ${Object.keys(ROBERTA_MODEL_TYPES).map((t) => `"${t}"`).join(', ')}`);
  }
  const pad = c.pad_token_id ?? 1;
  if (!Number.isInteger(pad) || pad < 0 || pad + 1 >= c.max_position_embeddings) {
    throw new Error(`config.json: pad_token_id ${pad} leaves no position below max_position_embeddings ${c.max_position_embeddings}`);
  }
  const family: PostLnGraphFamily = {
    graphName: `spert_${modelType.replace(/-/g, '_')}_encoder`,
    description: `RoBERTa-family (${modelType}) encoder`,
    positionIds(g, _inputIds, mask) {
      const real = g.op('Cast', [g.op('Not', [g.op('Equal', [mask, g.intTensor('zero', [], [0])])])], { to: 7 }); // int64 0/1
      const counted = g.op('Mul', [g.op('CumSum', [real, g.intTensor('seq_axis', [], [1])]), real]);
      return g.op('Add', [counted, g.intTensor('padding_idx', [], [pad])], {}, 'position_ids');
    },
  };
  return buildPostLnEncoderGraph(family, { ...options, prefix });
}
