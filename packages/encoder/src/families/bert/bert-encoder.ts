// BERT (Hugging Face BertModel semantics) on TensorFlow.js ops: the shared post-LayerNorm stack
// with absolute position ids 0..T-1 and the `bert.` checkpoint family.
import * as tf from '@tensorflow/tfjs-core';
import { checkpointFamily, type BertConfig, type EncoderConfig, type NamedTensor } from '@spert/checkpoint';
import type { EncoderInputs } from '../../family';
import { PostLnEncoder, type PostLnEncoderOptions, type PostLnFamily } from '../post-ln/post-ln-encoder';

/** Inputs of one BERT forward pass (the family-independent encoder inputs). */
export type BertInputs = EncoderInputs;

/** Options to build a BERT encoder (weights under encoder names, with or without `bert.`). */
export type BertEncoderOptions = PostLnEncoderOptions<BertConfig>;

const BERT: PostLnFamily<BertConfig> = {
  className: 'BertEncoder',
  checkpoint: checkpointFamily<BertConfig>('bert'),
  weightsName: () => 'BERT',
  describeMaxLength: (config) => `max_position_embeddings ${config.max_position_embeddings}`,
};

/** A BERT encoder whose forward pass returns the last hidden state. */
export class BertEncoder extends PostLnEncoder<BertConfig> {
  /** Creates an encoder, randomly initialised (seeded) or from PyTorch-layout weights. */
  static create(options: BertEncoderOptions): BertEncoder {
    return new BertEncoder(BERT, options);
  }

  /** Builds an encoder from checkpoint tensors (names with or without `bert.`, legacy LayerNorm names); `config` must be a BERT one. */
  static fromTensors(config: EncoderConfig, tensors: Map<string, NamedTensor>, options: { seed?: number; requirePooler?: boolean } = {}): BertEncoder {
    return BertEncoder.create({ config: BERT.checkpoint.asConfig(config, 'BertEncoder.fromTensors'), weights: tensors, ...options });
  }

  /** Absolute positions: rows 0..T-1 of the table, the same for every sequence. */
  protected positionEmbeddings(table: tf.Tensor2D, _attentionMask: tf.Tensor2D, _batch: number, seqLen: number): tf.Tensor {
    return tf.slice(table, [0, 0], [seqLen, table.shape[1]]);
  }
}
