// The ONNX part of an encoder family: its graph, built from checkpoint tensors. Export needs
// only this and @spert/checkpoint, never TF.js. A family adds a folder under families/ and one
// registration line in registry.ts.
import type { Quantization } from './quantize';
import type { WeightMap } from './weights';

/** The hyper-parameters an encoder graph needs (a subset of @spert/checkpoint's EncoderConfig). */
export interface EncoderShape {
  /** config.json model_type: picks the family (default "bert"). */
  model_type?: string;
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  hidden_act?: string;
}

/** Options of buildEncoderGraph. */
export interface BuildEncoderOptions {
  config: EncoderShape;
  /** Parameters under checkpoint names; `prefix` is prepended (default: the family's, "bert." for BERT as SpERT checkpoints use). */
  weights: WeightMap;
  prefix?: string;
  /** 'int8': dynamic int8 quantization of the linear layers' MatMuls (default 'none'). */
  quantization?: Quantization;
  /**
   * Whether the graph takes a token_type_ids input (default true). Without it every token uses
   * segment 0, as SpERT's single-segment inputs always do, and callers feed two inputs.
   */
  tokenTypeIds?: boolean;
}

/**
 * The ONNX graph of an encoder family. Every family's graph has the same contract, which the
 * onnxruntime adapter relies on: inputs input_ids, attention_mask and (optionally) token_type_ids,
 * int64 [batch, sequence]; output last_hidden_state, float32 [batch, sequence, hidden].
 */
export interface OnnxEncoderFamily {
  /** config.json model_type, the same key as in @spert/checkpoint's and @spert/encoder's registries. */
  readonly modelType: string;
  /** Serialised encoder.onnx for `options.config` (whose model_type is this family's). */
  buildGraph(options: BuildEncoderOptions): Uint8Array;
}
