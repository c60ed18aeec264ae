// RoBERTa (Hugging Face RobertaModel semantics; XLMRobertaModel and CamembertModel are the same
// class) on TensorFlow.js ops: BERT's post-LayerNorm stack, but position ids that count real
// tokens from pad_token_id + 1, padded positions keeping pad_token_id.
import * as tf from '@tensorflow/tfjs-core';
import { checkpointFamily, type EncoderConfig, type NamedTensor, type RobertaConfig } from '@spert/checkpoint';
import { PostLnEncoder, type PostLnEncoderOptions, type PostLnFamily } from '../post-ln/post-ln-encoder';

/** Options to build a RoBERTa encoder (weights under encoder names, with or without `roberta.`). */
export type RobertaEncoderOptions = PostLnEncoderOptions<RobertaConfig>;

const ROBERTA: PostLnFamily<RobertaConfig> = {
  className: 'RobertaEncoder',
  // the same for every RoBERTa model_type, so the roberta family serves xlm-roberta and camembert too
  checkpoint: checkpointFamily<RobertaConfig>('roberta'),
  weightsName: (config) => `RoBERTa (${config.model_type})`,
  describeMaxLength: (config) =>
    `${ROBERTA.checkpoint.maxSequenceLength(config)} (max_position_embeddings ${config.max_position_embeddings} - pad_token_id ${config.pad_token_id} - 1)`,
};

/** A RoBERTa-family encoder whose forward pass returns the last hidden state. */
export class RobertaEncoder extends PostLnEncoder<RobertaConfig> {
  /** Creates an encoder, randomly initialised (seeded, as RobertaPreTrainedModel._init_weights) or from PyTorch-layout weights. */
  static create(options: RobertaEncoderOptions): RobertaEncoder {
    return new RobertaEncoder(ROBERTA, options);
  }

  /** Builds an encoder from checkpoint tensors (names with or without `roberta.`); `config` must be a RoBERTa-family one. */
  static fromTensors(config: EncoderConfig, tensors: Map<string, NamedTensor>, options: { seed?: number; requirePooler?: boolean } = {}): RobertaEncoder {
    return RobertaEncoder.create({ config: ROBERTA.checkpoint.asConfig(config, 'RobertaEncoder.fromTensors'), weights: tensors, ...options });
  }

  /**
   * Position ids as Hugging Face derives them, but from the attention mask rather than from
   * `input_ids != pad_token_id`: SpERT's collation pads with id 0, which is `<s>` in RoBERTa's
   * vocabulary. Real tokens get pad_token_id + 1, + 2, ...; padded positions keep pad_token_id.
   */
  positionIds(attentionMask: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const m = tf.cast(tf.notEqual(attentionMask, 0), 'float32');
      return tf.cast(tf.add(tf.mul(tf.cumsum(m, 1), m), this.config.pad_token_id), 'int32') as tf.Tensor2D;
    });
  }

  /** Per-sequence positions from the mask (positionIds), gathered from the table. */
  protected positionEmbeddings(table: tf.Tensor2D, attentionMask: tf.Tensor2D, batch: number, seqLen: number): tf.Tensor {
    return tf.reshape(tf.gather(table, tf.reshape(this.positionIds(attentionMask), [batch * seqLen])), [batch, seqLen, table.shape[1]]);
  }
}
