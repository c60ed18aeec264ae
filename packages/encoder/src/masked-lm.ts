// Masked-language-model pre-training on TF.js: every family's head (dense, GELU, LayerNorm, the
// decoder tied to the word embeddings, an output bias) under that family's Hugging Face names, and
// the loss computed only at the labelled positions: the vocabulary product is the largest matMul
// of a step, and running it at every position (as transformers does) wastes ~85% of it.
import * as tf from '@tensorflow/tfjs-core';
import { gelu, layerNorm } from '@spert/backend';
import {
  checkpointFamily,
  loadCheckpoint,
  resolveModelDir,
  saveCheckpoint,
  initialMaskedLmParamValue,
  maskedLmParamNames,
  maskedLmParamSpecs,
  type MaskedLmHeadNames,
  type MaskedLmHeadParams,
  type Checkpoint,
  type CheckpointFs,
  type NamedTensor,
  type ResolveModelOptions,
} from '@spert/checkpoint';
import { EncoderParams, initialParamValues } from './encoder-params';
import type { Encoder, EncoderInputs } from './family';
import { createEncoder } from './registry';

/** The encoder variable the decoder is tied to (the same name in every registered family). */
export const WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight';

/** Options of {@link MaskedLmHead.create}. */
export interface MaskedLmHeadOptions {
  /** The encoder whose word embeddings the decoder shares. */
  encoder: Encoder;
  /**
   * Head tensors under Hugging Face names (a loaded checkpoint's `maskedLmTensors`); a fresh head
   * (transformers' initialisation, seeded) when omitted or empty.
   */
  tensors?: ReadonlyMap<string, NamedTensor>;
  /** Seed of a fresh head (default 0). */
  seed?: number;
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A family's masked-LM head on TF.js; its decoder matrix is the encoder's word-embedding variable. */
export class MaskedLmHead {
  private readonly params: EncoderParams;
  /** The family's head names. */
  readonly names: MaskedLmHeadNames;
  /** The full checkpoint names of the head's own parameters. */
  readonly paramNames: MaskedLmHeadParams;

  private constructor(private readonly encoder: Encoder, options: MaskedLmHeadOptions) {
    const config = encoder.config;
    const family = checkpointFamily(config.model_type, 'MaskedLmHead');
    this.names = family.maskedLm;
    this.paramNames = maskedLmParamNames(this.names);
    const specs = maskedLmParamSpecs(this.names, config);
    const tensors = options.tensors && options.tensors.size > 0 ? options.tensors : undefined;
    if (tensors) this.checkTiedCopies(tensors);
    const values = initialParamValues({
      config,
      specs,
      weights: tensors ? new Map(tensors) : undefined,
      paramName: (name) => (name.startsWith(`${this.names.prefix}decoder.`) ? null : name),
      initialValue: (spec, c, rng) => initialMaskedLmParamValue(this.names, spec, c, rng),
      label: `${family.maskedLm.architecture} head`,
      seed: options.seed,
    });
    this.params = new EncoderParams(specs, values, 'MaskedLmHead');
  }

  /** The head of `options.encoder`'s family, from checkpoint tensors or freshly initialised. */
  static create(options: MaskedLmHeadOptions): MaskedLmHead {
    return new MaskedLmHead(options.encoder, options);
  }

  // The decoder copies a writer may store must really be tied: an untied decoder would be silently
  // replaced by the embeddings here, which is a different model.
  private checkTiedCopies(tensors: ReadonlyMap<string, NamedTensor>): void {
    const decoderWeight = tensors.get(`${this.names.prefix}decoder.weight`);
    if (decoderWeight) {
      const embeddings = this.encoder.variables().get(WORD_EMBEDDINGS);
      const data = embeddings ? (embeddings.dataSync() as Float32Array) : undefined;
      if (!data || !(decoderWeight.data instanceof Float32Array) || !sameValues(decoderWeight.data, data)) {
        throw new Error(`${this.names.prefix}decoder.weight differs from ${WORD_EMBEDDINGS}: the checkpoint's decoder is not tied to the word embeddings (tie_word_embeddings false), which this head does not support`);
      }
    }
    const decoderBias = tensors.get(`${this.names.prefix}decoder.bias`);
    const bias = tensors.get(this.paramNames.bias);
    if (decoderBias && bias && !(decoderBias.data instanceof Float32Array && bias.data instanceof Float32Array && sameValues(decoderBias.data, bias.data))) {
      throw new Error(`${this.names.prefix}decoder.bias differs from ${this.paramNames.bias}: they are one tied parameter in transformers`);
    }
  }

  /** The head's own trainable variables under their checkpoint names (the decoder matrix is the encoder's). */
  variables(): Map<string, tf.Variable> {
    return this.params.variables();
  }

  /** Vocabulary logits [N, vocab] of hidden rows [N, hidden] (the rows of the labelled positions). */
  logits(rows: tf.Tensor2D): tf.Tensor2D {
    this.params.check();
    const p = this.paramNames;
    const v = (n: string) => this.params.get(n);
    const embeddings = this.encoder.variables().get(WORD_EMBEDDINGS);
    if (!embeddings) throw new Error(`MaskedLmHead: the encoder has no ${WORD_EMBEDDINGS} to tie the decoder to`);
    return tf.tidy(() => {
      const h = gelu(tf.fused.matMul({ a: rows, b: v(p.denseWeight), bias: v(p.denseBias) }) as tf.Tensor2D);
      const normed = layerNorm(h, v(p.layerNormWeight), v(p.layerNormBias), this.encoder.config.layer_norm_eps);
      return tf.fused.matMul({ a: normed, b: embeddings, transposeB: true, bias: v(p.bias) }) as tf.Tensor2D;
    });
  }

  /** The head's own parameters in PyTorch layout under Hugging Face names (the tied decoder left out, as transformers saves it). */
  toTensors(): Map<string, NamedTensor> {
    return this.params.toTensors('');
  }

  /** Number of the head's own scalar parameters. */
  parameterCount(): number {
    return this.params.count();
  }

  /** Frees the head's variables (not the encoder's). */
  dispose(): void {
    this.params.dispose();
  }
}

// Mean cross-entropy of logits [N, V] against labels [N] with the analytic gradient
// (softmax - onehot) / N: one pass less over the [N, V] matrix than autograd through logSoftmax.
const meanCrossEntropy = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [logits, oneHot, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  const n = logits.shape[0];
  const lse = tf.logSumExp(logits, 1);
  const picked = tf.sum(tf.mul(logits, oneHot), 1);
  const value = tf.div(tf.sum(tf.sub(lse, picked)), n);
  save([logits, oneHot, lse]);
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sl, so, slse] = saved;
      const probs = tf.exp(tf.sub(sl, tf.expandDims(slse, 1)));
      return [tf.mul(tf.sub(probs, so), tf.div(dy, n)), tf.zerosLike(so)];
    },
  };
});

/** One batch of masked-LM training or validation. */
export interface MaskedLmBatch extends EncoderInputs {
  /** Flat indices (row * seqLen + column) of the labelled positions, int32 [N]. */
  positions: tf.Tensor1D;
  /** The original ids at those positions, int32 [N]. */
  labels: tf.Tensor1D;
}

/** What {@link maskedLmLoss} returns (tensors the caller owns). */
export interface MaskedLmLoss {
  /** Mean cross-entropy over the labelled positions. */
  loss: tf.Scalar;
  /** Logits at the labelled positions [N, vocab]; only when asked for (validation accuracy). */
  logits?: tf.Tensor2D;
}

/**
 * The masked-LM loss of a batch: the encoder's last hidden state, gathered at the labelled
 * positions only, through the head, against the labels (Hugging Face's loss: the mean over
 * labelled positions of the cross-entropy).
 */
export function maskedLmLoss(encoder: Encoder, head: MaskedLmHead, batch: MaskedLmBatch, options: { training: boolean; keepLogits?: boolean; dropoutSeed?: number }): MaskedLmLoss {
  const n = batch.positions.shape[0];
  if (n === 0) throw new Error('maskedLmLoss: the batch has no labelled positions');
  if (batch.labels.shape[0] !== n) throw new Error(`maskedLmLoss: ${n} positions but ${batch.labels.shape[0]} labels`);
  let logits: tf.Tensor2D | undefined;
  const loss = tf.tidy(() => {
    // only the masked positions are read
    const hidden = encoder.apply(batch, { training: options.training, dropoutSeed: options.dropoutSeed, skipPadding: true });
    const [B, T, H] = hidden.shape;
    const rows = tf.gather(tf.reshape(hidden, [B * T, H]), batch.positions) as tf.Tensor2D;
    const l = head.logits(rows);
    if (options.keepLogits) logits = tf.keep(l);
    return meanCrossEntropy(l, tf.oneHot(batch.labels, l.shape[1])) as tf.Scalar;
  });
  return { loss, logits };
}

/** Options of {@link saveMaskedLm}. */
export interface SaveMaskedLmOptions {
  dir: string;
  encoder: Encoder;
  head: MaskedLmHead;
  /** Fields merged into config.json besides `architectures`. */
  extraConfig?: Record<string, unknown>;
  fs?: CheckpointFs;
}

/**
 * Writes a `*ForMaskedLM` checkpoint as transformers saves one: encoder tensors under the family
 * prefix without a pooler, the head under its names, the tied decoder matrix left out, and
 * config.json with `architectures`. Tokenizer files are the caller's (the encoder knows none).
 */
export async function saveMaskedLm({ dir, encoder, head, extraConfig, fs }: SaveMaskedLmOptions): Promise<string[]> {
  // `architectures` of the checkpoint it was loaded from is replaced, not kept in its old place:
  // a run that reopened a saved encoder writes the same bytes as one that never did.
  const { architectures: _replaced, ...extra } = encoder.config.extra;
  void _replaced;
  return saveCheckpoint({
    dir,
    config: { ...encoder.config, extra },
    encoderTensors: encoder.toTensors({ withoutPooler: true }),
    extraTensors: head.toTensors(),
    prefix: true,
    extraConfig: { architectures: [head.names.architecture], ...extraConfig },
    fs,
  });
}

/** Options of {@link loadMaskedLm}: where the checkpoint is, plus seeds. */
export interface LoadMaskedLmOptions extends ResolveModelOptions {
  /** Dropout seed of the encoder and seed of a fresh head (default 0). */
  seed?: number;
}

/**
 * Opens any checkpoint of a registered family for masked-LM training: its encoder, and its head
 * when the checkpoint has one (`*ForMaskedLM`), otherwise a fresh head (`headFromCheckpoint` false).
 */
export async function loadMaskedLm(options: LoadMaskedLmOptions): Promise<{ encoder: Encoder; head: MaskedLmHead; checkpoint: Checkpoint; headFromCheckpoint: boolean }> {
  const dir = await resolveModelDir(options);
  const checkpoint = await loadCheckpoint({ dir, fs: options.fs });
  const encoder = createEncoder({ config: checkpoint.config, tensors: checkpoint.encoderTensors, seed: options.seed });
  try {
    const head = MaskedLmHead.create({ encoder, tensors: checkpoint.maskedLmTensors, seed: options.seed });
    return { encoder, head, checkpoint, headFromCheckpoint: checkpoint.maskedLmTensors.size > 0 };
  } catch (e) {
    encoder.dispose();
    throw new Error(`${dir}: ${(e as Error).message}`);
  }
}
