// What every family's TF.js encoder does around its forward pass: holding the parameters,
// checking a batch's inputs, and drawing the pass's seeded dropout. Each family adds its layers.
import * as tf from '@tensorflow/tfjs-core';
import type { SeededRng } from '@spert/core';
import { initRng, type EncoderConfig, type NamedTensor } from '@spert/checkpoint';
import { dropout, type RowSelection } from '@spert/tfjs-ops';
import type { EncoderParams } from '../encoder-params';
import type { ApplyOptions, Encoder, EncoderInputs, ToTensorsOptions } from '../family';
import { checkIdRange } from './layers';

/** What a batch's inputs are checked against. */
export interface InputLimits {
  /** Ids of token types must be below this. */
  typeVocabSize: number;
  /** Longest sequence (positions). */
  maxLength: number;
  /** How a too-long-input error states the limit ("max_position_embeddings 512"). */
  describeMaxLength: string;
}

/** The sizes of one forward pass. */
export interface PassShape {
  /** B, documents in the batch. */
  batch: number;
  /** T, positions per document. */
  seqLen: number;
  /** H, the hidden size. */
  hidden: number;
  /** Attention heads, and H / heads. */
  heads: number;
  headSize: number;
}

/** The dropout of one forward pass: the rates (0 outside training) and the seeded op. */
export interface PassDropout {
  /** Hidden-state dropout rate of this pass. */
  hidden: number;
  /** Attention-probability dropout rate of this pass. */
  attention: number;
  /**
   * Dropout with the pass's mask stream; the identity at rate 0. With `selection`, x holds only
   * those rows of a larger tensor and gets the masks the whole tensor would (packed tokens).
   */
  drop<R extends tf.Rank>(x: tf.Tensor<R>, rate: number, selection?: RowSelection): tf.Tensor<R>;
  /** The seed `drop` would use next at `rate` (drawn from the stream only when rate > 0), for a fused op that applies the dropout itself. */
  seed(rate: number): number;
}

/** An encoder over {@link EncoderParams}; subclasses give the forward pass and the checkpoint layout. */
export abstract class ParamEncoder<C extends EncoderConfig> implements Encoder {
  private readonly dropoutRng: SeededRng;

  /** `className` prefixes error messages ("BertEncoder"); `seed` is the initialisation seed (dropout masks use seed + 1). */
  protected constructor(
    /** The config it was built from; `model_type` names its family. */
    readonly config: C,
    protected readonly params: EncoderParams,
    protected readonly className: string,
    seed: number,
  ) {
    this.dropoutRng = initRng(seed + 1);
  }

  /** Forward pass: the last hidden state [batch, seqLen, hidden]. */
  abstract apply(inputs: EncoderInputs, options: ApplyOptions): tf.Tensor3D;

  /** Copies the parameters out in PyTorch layout (Linear weights [out, in]). */
  abstract toTensors(options?: ToTensorsOptions): Map<string, NamedTensor>;

  /** The trainable variables under Hugging Face names (no family prefix); Linear weights are [in, out]. */
  variables(): Map<string, tf.Variable> {
    return this.params.variables();
  }

  /** Number of parameters. */
  parameterCount(): number {
    return this.params.count();
  }

  /** Frees the variables; the encoder is unusable afterwards. */
  dispose(): void {
    this.params.dispose();
  }

  /** The sizes of a pass over a batch, after checking every input (live encoder, shapes, dtypes, length, ids). */
  protected checkInputs({ inputIds, attentionMask, tokenTypeIds }: EncoderInputs, limits: InputLimits): PassShape {
    this.params.check();
    const where = `${this.className}.apply`;
    if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') throw new Error(`${where}: inputIds must be an int32 [batch, seqLen] tensor, got ${inputIds.dtype} [${inputIds.shape}]`);
    const [B, T] = inputIds.shape;
    const sameShape = (t: tf.Tensor, what: string) => {
      if (t.rank !== 2 || t.shape[0] !== B || t.shape[1] !== T) throw new Error(`${where}: ${what} has shape [${t.shape}], expected [${B}, ${T}] like inputIds`);
    };
    sameShape(attentionMask, 'attentionMask');
    if (tokenTypeIds) {
      sameShape(tokenTypeIds, 'tokenTypeIds');
      if (tokenTypeIds.dtype !== 'int32') throw new Error(`${where}: tokenTypeIds must be int32`);
      checkIdRange(tokenTypeIds, limits.typeVocabSize, 'tokenTypeIds', 'type_vocab_size', this.className);
    }
    if (T > limits.maxLength) throw new Error(`${where}: sequence length ${T} exceeds ${limits.describeMaxLength}`);
    checkIdRange(inputIds, this.config.vocab_size, 'inputIds', 'vocab_size', this.className);
    const { hidden_size: hidden, num_attention_heads: heads } = this.config;
    return { batch: B, seqLen: T, hidden, heads, headSize: hidden / heads };
  }

  /** The dropout of one pass: masks from `dropoutSeed` when given, else from the encoder's own stream. */
  protected passDropout({ training, dropoutSeed }: ApplyOptions): PassDropout {
    const rng = dropoutSeed === undefined ? this.dropoutRng : initRng(dropoutSeed);
    const seed = (rate: number) => (rate > 0 ? Math.floor(rng() * 2147483647) : 0);
    return {
      hidden: training ? this.config.hidden_dropout_prob : 0,
      attention: training ? this.config.attention_probs_dropout_prob : 0,
      drop: <R extends tf.Rank>(x: tf.Tensor<R>, rate: number, selection?: RowSelection): tf.Tensor<R> => (rate > 0 ? dropout(x, rate, seed(rate), selection) : x),
      seed,
    };
  }
}
