// The BERT encoder as a standard-op ONNX graph: the shared post-LayerNorm graph with absolute
// position ids 0..T-1.
import { checkpointFamily } from '@spert/checkpoint';
import type { BuildEncoderOptions } from '../../family';
import { buildPostLnEncoderGraph, type PostLnGraphFamily } from '../post-ln/encoder-graph';

const BERT_GRAPH: PostLnGraphFamily = {
  graphName: 'spert_bert_encoder',
  description: 'BERT encoder',
  positionIds(g, ids) {
    const seqLen = g.op('Gather', [g.op('Shape', [ids]), g.intTensor('one_index', [], [1])], { axis: 0 });
    return g.op('Range', [g.intTensor('zero', [], [0]), seqLen, g.intTensor('one', [], [1])]);
  },
};

/**
 * Builds BERT's encoder.onnx: inputs input_ids, attention_mask, optional token_type_ids (int64 [batch, sequence]),
 * output last_hidden_state (float32 [batch, sequence, hidden]).
 */
export function buildBertEncoderGraph({ prefix = checkpointFamily('bert').prefix, ...options }: BuildEncoderOptions): Uint8Array {
  const modelType = options.config.model_type ?? 'bert';
  if (modelType !== 'bert') throw new Error(`BERT encoder graph: config has model_type "${modelType}", expected "bert"`);
  return buildPostLnEncoderGraph(BERT_GRAPH, { ...options, prefix });
}
