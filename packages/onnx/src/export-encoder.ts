// encoder.onnx for any registered encoder family, picked by config.model_type.
import { DEFAULT_MODEL_TYPE } from '@spert/checkpoint';
import type { BuildEncoderOptions } from './family';
import { onnxEncoderFamily } from './registry';

export type { BuildEncoderOptions, EncoderShape } from './family';

/**
 * Builds encoder.onnx with the graph of `config.model_type`'s family (default "bert"): inputs
 * input_ids, attention_mask, optional token_type_ids (int64 [batch, sequence]), output
 * last_hidden_state (float32 [batch, sequence, hidden]).
 */
export function buildEncoderGraph(options: BuildEncoderOptions): Uint8Array {
  return onnxEncoderFamily(options.config.model_type ?? DEFAULT_MODEL_TYPE).buildGraph(options);
}
