import * as tf from '@tensorflow/tfjs-core';
import { checkpointFamily } from '@spert/checkpoint';
import { collectRelationTriples, createRng, createTripleFilter, SPERT_DEFAULTS, type Document, type EncodedDocument } from '@spert/core';
import type { SpertModel } from '@spert/model';
import { collate, createTrainSample } from '@spert/span-sampler';
import type { Progress, ProgressMode } from './progress';
import { spertLoss } from './spert-loss';
import { train, type TrainOptions, type TrainResult } from './train';

/** Hyperparameters of a SpERT run (defaults: the reference's configs/example_train.conf). */
export interface SpertHyperparameters {
  epochs: number;
  batchSize: number;
  lr: number;
  lrWarmup: number;
  weightDecay: number;
  maxGradNorm: number;
  negEntityCount: number;
  negRelationCount: number;
  freezeEncoder: boolean;
  seed: number;
}

/** The reference's defaults (batch 2, lr 5e-5, 20 epochs, 100/100 negatives, warmup 0.1, wd 0.01, clip 1). */
export const SPERT_TRAINING_DEFAULTS: SpertHyperparameters = {
  epochs: 20,
  batchSize: 2,
  lr: 5e-5,
  lrWarmup: 0.1,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
  negEntityCount: 100,
  negRelationCount: 100,
  freezeEncoder: false,
  seed: 1,
};

/** Options of {@link trainSpert}. */
export interface TrainSpertOptions extends Partial<SpertHyperparameters> {
  model: SpertModel;
  /** Gold training documents (validated). */
  documents: readonly Document[];
  /** Where the training documents came from (a file path), named in errors. */
  source?: string;
  /** Evaluation after each epoch (or only after the last one: see evalEveryEpoch), with the updates done so far. */
  evaluate?: (epoch: number, step: number) => Promise<Record<string, number>>;
  /** Evaluate after every epoch rather than only after the last (the reference's final_eval). */
  evalEveryEpoch?: boolean;
  /** Where loss/eval logs and the training-curve plot go. */
  logDir?: string;
  /** Where checkpoints go (enables resume). */
  checkpointDir?: string;
  /** Resume from the latest checkpoint in checkpointDir. */
  resume?: boolean;
  /** As {@link TrainOptions.progress}: a bar on a terminal, plain lines otherwise; false: plain lines; 'off': nothing. */
  progress?: boolean | ProgressMode | Progress;
  /** Plain progress lines: one every N steps (default 100) besides one per epoch. */
  progressEvery?: number;
  /** Messages such as "resuming from step N of M" (default: a line on stderr). */
  log?: (line: string) => void;
  /** Stops the run at the next step boundary, with a checkpoint. */
  signal?: AbortSignal;
  /** Checkpoint every N updates as well as every epoch. */
  checkpointEverySteps?: number;
  /** Rows of log/loss.csv: the mean loss of every N updates (default 100; 1 logs every step). */
  logEvery?: number;
}

// Training forward passes trainSpert has run on each model object (see replayDropout).
const trainingForwards = new WeakMap<SpertModel, number>();

interface TrainItem {
  index: number;
  document: Document;
  encoding: EncodedDocument;
}

/**
 * Trains a SpERT model as the reference does: per-document samples (gold spans + up to 100
 * random negative spans, gold pairs + up to 100 strong negative pairs) drawn from the run's
 * checkpointed generator, one encoder pass per batch, masked-mean CE + BCE, AdamW without bias
 * correction, linear warmup/decay, clipping at 1.0.
 */
export async function trainSpert(options: TrainSpertOptions): Promise<TrainResult> {
  const h: SpertHyperparameters = { ...SPERT_TRAINING_DEFAULTS, ...definedOnly(options) };
  const { model } = options;
  const types = model.settings.types;
  const encoderPrefix = checkpointFamily(model.encoder.config.model_type).prefix;
  const encodings = model.encodeDocuments(options.documents.map((d) => d.tokens), { source: options.source });
  const data: TrainItem[] = options.documents.map((document, index) => ({ index, document, encoding: encodings[index] }));
  const lastEpoch = h.epochs - 1;
  // relation_type_constraints "train": the table comes from the training set (unless the model already has one) and is saved with the model.
  if (model.settings.relationTypeConstraints === 'train' && !model.settings.relationTriples) {
    model.settings.relationTriples = collectRelationTriples(options.documents, types, options.source);
  }
  const preferTypePairs = model.settings.relationTypeConstraints === 'train' ? createTripleFilter(model.settings.relationTriples ?? [], types) : undefined;
  const trainOptions: TrainOptions<TrainItem> = {
    params: model.variables(),
    data,
    epochs: h.epochs,
    batchSize: h.batchSize,
    lr: h.lr,
    warmupFraction: h.lrWarmup,
    weightDecay: h.weightDecay,
    maxGradNorm: h.maxGradNorm,
    seed: h.seed,
    // The encoder's parameters carry its family's checkpoint prefix (`bert.`, `roberta.`, ...).
    freeze: h.freezeEncoder ? (name) => name.startsWith(encoderPrefix) : undefined,
    batchLoss: (batch, ctx) => {
      const rng = () => ctx.rng.next();
      const samples = batch.map((item) =>
        createTrainSample({
          document: item.document,
          encoding: item.encoding,
          types,
          rng,
          negEntityCount: h.negEntityCount,
          negRelationCount: h.negRelationCount,
          relationNegatives: model.settings.relationNegatives,
          relationContext: model.settings.relationContext,
          maxSpanSize: model.settings.maxSpanSize,
          documentIndex: item.index,
          preferTypePairs,
        }),
      );
      const b = collate(samples);
      trainingForwards.set(model, (trainingForwards.get(model) ?? 0) + 1);
      const out = model.forwardTrain(b, { training: true });
      const E1 = types.entities.length + 1;
      const R = types.relations.length;
      const loss = spertLoss({
        entityLogits: tf.reshape(out.entityLogits, [-1, E1]) as tf.Tensor2D,
        entityLabels: tf.tensor1d(b.spanLabels.data, 'int32'),
        entityMask: tf.tensor1d(b.spanMask.data, 'float32'),
        relationLogits: tf.reshape(out.relationLogits, [-1, R]) as tf.Tensor2D,
        relationLabels: tf.tensor2d(b.pairLabels.data, [b.pairMask.data.length, R], 'float32'),
        relationMask: tf.tensor1d(b.pairMask.data, 'float32'),
      });
      return { loss: loss.total, parts: { entity: loss.entity, relation: loss.relation } };
    },
    onEpochEnd: options.evaluate
      ? async ({ epoch, step }) => (options.evalEveryEpoch || epoch === lastEpoch ? options.evaluate?.(epoch, step) : undefined)
      : undefined,
    logDir: options.logDir,
    checkpointDir: options.checkpointDir,
    checkpointEveryEpoch: options.checkpointDir !== undefined,
    checkpointEverySteps: options.checkpointEverySteps,
    resume: options.resume,
    onResume: ({ step, checkpoint }) => replayDropout(model, data, step, checkpoint),
    settings: {
      negEntityCount: h.negEntityCount,
      negRelationCount: h.negRelationCount,
      maxSpanSize: model.settings.maxSpanSize,
      maxPairs: model.settings.maxPairs,
      propDrop: model.settings.propDrop,
      // Only when not the reference's, so that checkpoints written before the ablations still resume.
      ...ablationSettings(model.settings),
      hiddenDropout: model.encoder.config.hidden_dropout_prob,
      attentionDropout: model.encoder.config.attention_probs_dropout_prob,
    },
    progress: options.progress,
    progressEvery: options.progressEvery,
    logEvery: options.logEvery,
    log: options.log,
    signal: options.signal,
  };
  return train(trainOptions);
}

/**
 * Brings the model's dropout generators to where the interrupted run left them. They live inside
 * the encoder and the heads, which offer no way to read or set their state, but every training
 * forward pass draws the same number of seeds from them whatever the batch (one per dropout layer
 * of the encoder, one per head), so running the missing number of training forward passes on the
 * shortest training document puts them exactly there. Cheap next to training (no backward pass,
 * no update): about 9 ms per step on the quickstart model (wasm, 2 cores), 8 s for a resume at
 * step 922 of a run that takes 3 minutes.
 */
function replayDropout(model: SpertModel, data: readonly TrainItem[], step: number, checkpoint: string): void {
  const done = trainingForwards.get(model) ?? 0;
  if (done > step) {
    throw new Error(
      `trainSpert: cannot resume exactly from ${checkpoint} (step ${step}): this model object has already run ${done} training steps, ` +
        'so its dropout generators are past that point; resume with a freshly created or loaded model (as spert-train does)',
    );
  }
  if (done === step) return;
  const shortest = data.reduce((a, b) => (b.encoding.inputIds.length < a.encoding.inputIds.length ? b : a));
  const types = model.settings.types;
  // Its own generator: the run's generator (negative sampling) is restored from the checkpoint and must not move.
  const sample = createTrainSample({ document: shortest.document, encoding: shortest.encoding, types, rng: createRng(0), maxSpanSize: model.settings.maxSpanSize, documentIndex: shortest.index });
  const batch = collate([sample]);
  for (let i = done; i < step; i++) {
    tf.tidy(() => {
      model.forwardTrain(batch, { training: true });
    });
  }
  trainingForwards.set(model, step);
}

/** The model's non-default ablation settings, stored in checkpoints so that a resume with another variant is refused. */
function ablationSettings(s: SpertModel['settings']): Record<string, string> {
  const out: Record<string, string> = {};
  if (s.relationNegatives !== SPERT_DEFAULTS.relationNegatives) out.relationNegatives = s.relationNegatives;
  if (s.relationContext !== SPERT_DEFAULTS.relationContext) out.relationContext = s.relationContext;
  if (s.spanPooling !== SPERT_DEFAULTS.spanPooling) out.spanPooling = s.spanPooling;
  if (s.relationEntityTypes !== SPERT_DEFAULTS.relationEntityTypes) out.relationEntityTypes = `${s.relationEntityTypes} (${s.typeEmbedding})`;
  if (s.relationTypeConstraints !== SPERT_DEFAULTS.relationTypeConstraints) out.relationTypeConstraints = s.relationTypeConstraints;
  return out;
}

function definedOnly(o: Partial<SpertHyperparameters>): Partial<SpertHyperparameters> {
  const out: Partial<SpertHyperparameters> = {};
  for (const k of Object.keys(SPERT_TRAINING_DEFAULTS) as Array<keyof SpertHyperparameters>) {
    if (o[k] !== undefined) (out as Record<string, unknown>)[k] = o[k];
  }
  return out;
}
