// Masked-language-model pre-training of any registered encoder family with the trainer's loop:
// the same AdamW, warmup/decay, clipping, checkpoints and exact resume as SpERT's training, plus
// gradient accumulation and a step limit. Batches come from a source the caller supplies (the
// tensor-free @spert/corpus store in the app), so this file holds no data handling.
import * as tf from '@tensorflow/tfjs-core';
import { checkpointFamily } from '@spert/checkpoint';
import { maskedLmLoss, type Encoder, type MaskedLmHead } from '@spert/encoder';
import type { Progress, ProgressMode } from './progress';
import { train, type TrainResult } from './train';
import type { TrainerFs } from './trainer-fs';
import { internalError } from '@spert/core';

/** One masked batch as typed arrays (row-major [batchSize, seqLen]). */
export interface MaskedLmBatchArrays {
  batchSize: number;
  seqLen: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  /** Flat indices (row * seqLen + column) of the labelled positions. */
  positions: Int32Array;
  /** The original ids at those positions. */
  labels: Int32Array;
  /** Real (non-padding) tokens in the batch, for tokens/s. */
  tokens: number;
}

/** Where pre-training batches come from: sequences by index, masked for an epoch. */
export interface MaskedLmSource {
  /** Number of sequences. */
  readonly length: number;
  /** The masked batch of these sequences in `epoch` (dynamic masking: other masks every epoch, the same for the same epoch). */
  batch(indices: readonly number[], epoch: number): MaskedLmBatchArrays;
}

/** Validation metrics of {@link evaluateMaskedLm}. */
export interface MaskedLmMetrics {
  /** Mean cross-entropy over every labelled position. */
  loss: number;
  /** Share of labelled positions whose highest logit is the original id. */
  accuracy: number;
  /** Labelled positions scored. */
  labelled: number;
}

/** Masked-LM loss and accuracy of `source` (masks of epoch 0, so that every evaluation scores the same masks). */
export function evaluateMaskedLm({ encoder, head, source, batchSize = 32 }: { encoder: Encoder; head: MaskedLmHead; source: MaskedLmSource; batchSize?: number }): MaskedLmMetrics {
  let lossSum = 0;
  let correct = 0;
  let labelled = 0;
  for (let start = 0; start < source.length; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, source.length - start) }, (_, i) => start + i);
    const b = source.batch(indices, 0);
    if (b.positions.length === 0) continue;
    tf.tidy(() => {
      const { loss, logits } = maskedLmLoss(encoder, head, toTensors(b), { training: false, keepLogits: true });
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits!, 1), tf.tensor1d(b.labels, 'int32')), 'int32')).dataSync()[0];
      lossSum += loss.dataSync()[0] * b.positions.length;
      correct += hits;
      labelled += b.positions.length;
      logits!.dispose();
    });
  }
  return { loss: labelled ? lossSum / labelled : NaN, accuracy: labelled ? correct / labelled : NaN, labelled };
}

function toTensors(b: MaskedLmBatchArrays) {
  return {
    inputIds: tf.tensor2d(b.inputIds, [b.batchSize, b.seqLen], 'int32'),
    attentionMask: tf.tensor2d(b.attentionMask, [b.batchSize, b.seqLen], 'int32'),
    positions: tf.tensor1d(b.positions, 'int32'),
    labels: tf.tensor1d(b.labels, 'int32'),
  };
}

/** Options of {@link pretrainMaskedLm}. */
export interface PretrainMaskedLmOptions {
  encoder: Encoder;
  head: MaskedLmHead;
  /** Training sequences. */
  train: MaskedLmSource;
  /** Held-out sequences, scored after every epoch (loss and masked-token accuracy). */
  validation?: MaskedLmSource;
  /** Also score the validation sequences every N updates (default: only at epoch ends). */
  evaluateEverySteps?: number;
  epochs: number;
  /** Updates to run (overrides epochs, as transformers' max_steps). */
  maxSteps?: number;
  /** Sequences per forward pass. */
  batchSize: number;
  /** Micro-batches per update (default 1). */
  accumulate?: number;
  lr: number;
  /** Default 0.1 (the trainer's). */
  warmupFraction?: number;
  /** Default 0.01. */
  weightDecay?: number;
  /** Default 1.0. */
  maxGradNorm?: number;
  seed: number;
  /** Writes encoder and head into a checkpoint folder (default: the trainer's, every variable as it is held). */
  saveModel?: (dir: string) => Promise<void>;
  /** Restores them from a checkpoint folder written by saveModel (default: the trainer's). */
  loadModel?: (dir: string) => Promise<void>;
  checkpointDir?: string;
  checkpointEverySteps?: number;
  keepCheckpoints?: number;
  resume?: boolean | string;
  logDir?: string;
  logEvery?: number;
  progress?: boolean | ProgressMode | Progress;
  progressEvery?: number;
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Messages such as "resuming from step N of M" (default: a line on stderr). */
  log?: (line: string) => void;
  signal?: AbortSignal;
  fs?: TrainerFs;
  /** Further settings a resume must match (masking, sequence length, corpus identity). */
  settings?: Record<string, string | number | boolean>;
}

/** The variables masked-LM pre-training trains and checkpoints, under their checkpoint names (`bert.…`, `cls.…`). */
export function maskedLmParams(encoder: Encoder, head: MaskedLmHead): Map<string, tf.Variable> {
  const { prefix } = checkpointFamily(encoder.config.model_type);
  const params = new Map<string, tf.Variable>();
  // The pooler gets no gradient from the masked-LM loss; it stays out of training and of the optimizer.
  for (const [k, v] of encoder.variables()) if (!k.startsWith('pooler.')) params.set(`${prefix}${k}`, v);
  for (const [k, v] of head.variables()) params.set(k, v);
  return params;
}

/**
 * Pre-trains `encoder` with `head` by masked language modelling on `train`: mean cross-entropy at
 * the labelled positions, dropout seeds drawn from the run's checkpointed generator (a resume is
 * exact), validation loss and accuracy after each epoch, speed in tokens per second.
 */
export async function pretrainMaskedLm(o: PretrainMaskedLmOptions): Promise<TrainResult> {
  const { encoder, head } = o;
  const params = maskedLmParams(encoder, head);
  // 4 bytes per sequence: the sequences themselves stay on disk.
  const indices = new Int32Array(o.train.length).map((_, i) => i);
  return train<number>({
    params,
    data: indices,
    batchLoss: (batch, ctx) => {
      const arrays = o.train.batch(batch, ctx.epoch);
      if (arrays.positions.length === 0) throw internalError(`pretrainMaskedLm: batch ${ctx.batchIndex} of epoch ${ctx.epoch + 1} has no masked position`);
      const { loss } = maskedLmLoss(encoder, head, toTensors(arrays), { training: true, dropoutSeed: ctx.rng.int(0x7fffffff) });
      return { loss, units: arrays.tokens };
    },
    epochs: o.epochs,
    maxSteps: o.maxSteps,
    batchSize: o.batchSize,
    accumulate: o.accumulate,
    lr: o.lr,
    warmupFraction: o.warmupFraction,
    weightDecay: o.weightDecay,
    maxGradNorm: o.maxGradNorm,
    seed: o.seed,
    speedUnit: 'tokens',
    onEpochEnd: o.validation
      ? () => {
          const m = evaluateMaskedLm({ encoder, head, source: o.validation!, batchSize: o.batchSize });
          return { validation_loss: m.loss, validation_accuracy: m.accuracy };
        }
      : undefined,
    evaluateEverySteps: o.evaluateEverySteps,
    plotMetrics: o.validation ? ['validation_loss', 'validation_accuracy'] : undefined,
    saveModel: o.saveModel,
    loadModel: o.loadModel,
    checkpointDir: o.checkpointDir,
    checkpointEverySteps: o.checkpointEverySteps,
    keepCheckpoints: o.keepCheckpoints,
    resume: o.resume,
    logDir: o.logDir,
    logEvery: o.logEvery,
    progress: o.progress,
    progressEvery: o.progressEvery,
    progressStream: o.progressStream,
    log: o.log,
    signal: o.signal,
    fs: o.fs,
    settings: o.settings,
  });
}
