import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from './adamw';
import type { AdamWUpdateFn } from './adamw-update';
import { loadVariables, latestCheckpoint, pruneCheckpoints, readCheckpoint, saveVariables, writeCheckpoint, type TrainingState } from './checkpoint';
import { clipScale, globalGradNorm } from './clip-grad-norm';
import { epochBatches } from './epoch-batches';
import { linearWarmupSchedule } from './linear-warmup-schedule';
import { createProgress, type Progress, type ProgressMode, type ProgressUpdate } from './progress';
import { Xoshiro128 } from './xoshiro128';
import { streamVariableGrads } from './streaming-grads';
import { TrainingLog, type EvalLogRow } from './training-log';
import { nodeFs, type TrainerFs } from './trainer-fs';
import { SpertError } from '@spert/core';

/** What the loss function gets besides its batch. */
export interface StepContext {
  /** Zero-based epoch. */
  epoch: number;
  /** Updates done before this one (the schedule position). */
  step: number;
  /** Index of the batch in its epoch. */
  batchIndex: number;
  /** The run's generator (negative sampling, dropout seeds); its state is checkpointed. */
  rng: Xoshiro128;
}

/**
 * A loss function's result: a scalar, or a scalar with named parts to log (all created inside the
 * call) and the number of units the batch holds (tokens, say) when speed is not counted in items.
 */
export type BatchLossResult = tf.Scalar | { loss: tf.Scalar; parts?: Record<string, tf.Scalar>; units?: number };

/** Context of the end-of-epoch callback. */
export interface EpochEndContext {
  epoch: number;
  step: number;
}

/** What {@link TrainOptions.onResume} learns about the checkpoint a run continues from. */
export interface ResumeContext {
  /** The checkpoint folder. */
  checkpoint: string;
  /** Updates done before the interruption (the next step's schedule position). */
  step: number;
  /** Zero-based epoch the run continues in. */
  epoch: number;
  /** Batches of that epoch already done. */
  batchInEpoch: number;
}

/** Options of {@link train}. */
export interface TrainOptions<T> {
  /** Model parameters by name (names drive weight decay, checkpoints and `freeze`). */
  params: ReadonlyMap<string, tf.Variable>;
  /** Training documents (or any items a batch is made of: indices into a store on disk, say). */
  data: ArrayLike<T>;
  /** Forward pass and loss of one batch; runs under the gradient tape. */
  batchLoss: (batch: T[], ctx: StepContext) => BatchLossResult;
  epochs: number;
  /** Items per forward pass (a micro-batch when `accumulate` > 1). */
  batchSize: number;
  /**
   * Micro-batches whose gradients are averaged into one update (default 1): an update sees
   * batchSize * accumulate items, with the memory of batchSize.
   */
  accumulate?: number;
  /**
   * Stop after this many updates, which then also set the schedule's length (transformers'
   * max_steps: it overrides `epochs`, the last epoch may be partial).
   */
  maxSteps?: number;
  /** What speed counts when batchLoss reports `units` (default "docs", one per item). */
  speedUnit?: string;
  /** Peak learning rate. */
  lr: number;
  /** Default 0.1. */
  warmupFraction?: number;
  /** Default 0.01 (biases and LayerNorm weights get 0). */
  weightDecay?: number;
  /** Global gradient-norm clip; default 1.0. */
  maxGradNorm?: number;
  /** Seed of batch order and of `ctx.rng`; default random (stored in checkpoints). */
  seed?: number;
  /** Shuffle the documents every epoch (default true). */
  shuffle?: boolean;
  /** Parameters for which this returns true are not trained (e.g. the encoder). */
  freeze?: (name: string) => boolean;
  /** Per-parameter AdamW update; default @spert/backend's `adamwUpdate`, as `AdamW`'s. */
  adamwUpdate?: AdamWUpdateFn;
  /** Evaluation after each epoch (and every `evaluateEverySteps` updates); returned metrics are logged and plotted. */
  onEpochEnd?: (ctx: EpochEndContext) => Promise<Record<string, number> | void> | Record<string, number> | void;
  /**
   * Also run `onEpochEnd` every N updates inside an epoch (default: only at epoch ends), before
   * that step's checkpoint: one long epoch, as in pre-training, still gets a validation curve.
   * It must not change the weights or draw from `ctx.rng`: a resume stays exact.
   */
  evaluateEverySteps?: number;
  /** Folder for train_log.jsonl, loss.csv, eval.csv and training_curve.svg. */
  logDir?: string;
  /** Steps per logged loss window (default 100, the reference's train_log_iter). */
  logEvery?: number;
  /** Metrics drawn in the plot, one curve each (default: every metric the evaluations return). */
  plotMetrics?: readonly string[];
  /** Folder of checkpoint-<step> folders; unset = no checkpoints. */
  checkpointDir?: string;
  /** Also checkpoint every N updates (default: only at epoch ends). */
  checkpointEverySteps?: number;
  /** Checkpoint after each epoch's evaluation (default true when checkpointDir is set). */
  checkpointEveryEpoch?: boolean;
  /** Newest checkpoints kept (default 2). */
  keepCheckpoints?: number;
  /** Writes the model into a checkpoint folder (default: all params as model.safetensors). */
  saveModel?: (dir: string) => Promise<void>;
  /** Restores the model from a checkpoint folder (default: reads model.safetensors into params). */
  loadModel?: (dir: string) => Promise<void>;
  /** true: continue from the newest checkpoint in checkpointDir if there is one; a path: from that checkpoint. */
  resume?: boolean | string;
  /**
   * Restores state kept outside the trainer (e.g. generators inside the model) once a checkpoint is
   * loaded, before the first step; a resume is only exact if everything that shapes a step is restored.
   */
  onResume?: (ctx: ResumeContext) => Promise<void> | void;
  /**
   * 'auto' (default, also `true`): a bar on a terminal, plain lines otherwise; 'lines' (also
   * `false`, the CLI's --no-progress): plain lines; 'off': nothing; or your own display.
   */
  progress?: boolean | ProgressMode | Progress;
  /** Plain progress lines: one every N steps (default 100) besides one per epoch. */
  progressEvery?: number;
  /** Where the bar or the lines go (default process.stderr; its isTTY decides 'auto'). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Messages such as "resuming from step N of M" (default: a line on stderr). */
  log?: (line: string) => void;
  /** Further settings that shape the run (e.g. negative sample counts): stored in checkpoints; a resume with other values is refused. */
  settings?: Record<string, string | number | boolean>;
  /** Stops after the current step (with a checkpoint when checkpointDir is set). */
  signal?: AbortSignal;
  fs?: TrainerFs;
  /** Milliseconds clock for speed and log times (default Date.now). */
  clock?: () => number;
}

/** What {@link train} did. */
export interface TrainResult {
  /** Updates done in total (including those before a resume). */
  steps: number;
  totalSteps: number;
  seed: number;
  /** Loss of the last step run (NaN when this call ran none). */
  lastLoss: number;
  evals: EvalLogRow[];
  /** True when `signal` stopped the run early. */
  stopped: boolean;
  resumedFrom?: string;
  lastCheckpoint?: string;
}

function check(cond: boolean, msg: string): void {
  if (!cond) throw new SpertError('INVALID_OPTION', `train: ${msg}`);
}

/**
 * SpERT's training loop on named variables: seeded shuffled batches (drop_last), loss and
 * gradients of the trainable variables, global-norm clipping, AdamW (no bias correction), linear
 * warmup/decay; logs, plot, atomic checkpoints, and a resume that continues exactly like an
 * uninterrupted run (same batches, generator and optimizer state).
 */
export async function train<T>(opts: TrainOptions<T>): Promise<TrainResult> {
  const { params, data, batchLoss, batchSize, lr, warmupFraction = 0.1, weightDecay = 0.01, maxGradNorm = 1.0, shuffle = true, freeze = () => false, accumulate = 1, maxSteps } = opts;
  const { logEvery = 100, checkpointDir, checkpointEverySteps, evaluateEverySteps, keepCheckpoints = 2, fs = nodeFs, clock = Date.now, signal } = opts;
  const say = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const checkpointEveryEpoch = opts.checkpointEveryEpoch ?? checkpointDir !== undefined;
  check(Number.isInteger(opts.epochs) && opts.epochs > 0, `epochs must be a positive integer, got ${opts.epochs}`);
  check(Number.isInteger(batchSize) && batchSize > 0, `batchSize must be a positive integer, got ${batchSize}`);
  check(Number.isInteger(accumulate) && accumulate > 0, `accumulate must be a positive integer, got ${accumulate}`);
  check(maxSteps === undefined || (Number.isInteger(maxSteps) && maxSteps > 0), `maxSteps must be a positive integer, got ${maxSteps}`);
  check(evaluateEverySteps === undefined || (Number.isInteger(evaluateEverySteps) && evaluateEverySteps >= 0), `evaluateEverySteps must be a non-negative integer, got ${evaluateEverySteps}`);
  const itemsPerUpdate = batchSize * accumulate;
  check(data.length >= itemsPerUpdate, `${data.length} documents cannot fill one ${accumulate > 1 ? `update of ${accumulate} x ${batchSize}` : `batch of ${batchSize}`} (the last incomplete batch is dropped)`);
  check(Number.isFinite(lr) && lr >= 0, `lr must be a non-negative number, got ${lr}`);
  check(Number.isInteger(logEvery) && logEvery > 0, `logEvery must be a positive integer, got ${logEvery}`);
  check(checkpointEverySteps === undefined || (Number.isInteger(checkpointEverySteps) && checkpointEverySteps > 0), `checkpointEverySteps must be a positive integer, got ${checkpointEverySteps}`);
  check(!(checkpointEverySteps || opts.checkpointEveryEpoch) || checkpointDir !== undefined, 'checkpointing was asked for without a checkpointDir');
  check(!opts.resume || checkpointDir !== undefined || typeof opts.resume === 'string', 'resume: true needs a checkpointDir');

  const trainable = new Map<string, tf.Variable>();
  const byTfName = new Map<string, string>();
  for (const [name, v] of params) {
    check(!byTfName.has(v.name), `the same variable is passed as "${byTfName.get(v.name)}" and "${name}"`);
    byTfName.set(v.name, name);
    if (v.trainable && !freeze(name)) {
      check(v.dtype === 'float32', `trainable parameter "${name}" has dtype ${v.dtype}; only float32 is trained`);
      trainable.set(name, v);
    }
  }
  check(trainable.size > 0, 'no trainable parameters (all frozen or non-trainable)');
  const trainableList = [...trainable.values()];
  const gradOrder = gradientOrder(trainableList, byTfName);
  const shapes = new Map([...trainable].map(([n, v]) => [n, v.shape] as const));

  const batchesPerEpoch = Math.floor(data.length / itemsPerUpdate);
  const epochs = maxSteps === undefined ? opts.epochs : Math.ceil(maxSteps / batchesPerEpoch);
  const totalSteps = maxSteps ?? batchesPerEpoch * epochs;
  const schedule = linearWarmupSchedule({ totalSteps, warmupFraction, baseLr: lr });
  const saveModel = opts.saveModel ?? ((dir: string) => saveVariables({ dir, params, fs }));
  const loadModel = opts.loadModel ?? ((dir: string) => loadVariables({ dir, params, fs }));
  const optimizer = new AdamW({ params: trainable, weightDecay, update: opts.adamwUpdate });

  let seed = opts.seed ?? Math.floor(Math.random() * 0x100000000);
  let epoch = 0;
  let batchInEpoch = 0;
  let step = 0;
  let window = { steps: 0, loss: 0, parts: {} as Record<string, number>, docs: 0 };
  let resumedFrom: string | undefined;
  const rng = new Xoshiro128(seed);

  try {
    const from = typeof opts.resume === 'string' ? opts.resume : opts.resume ? await latestCheckpoint({ root: checkpointDir as string, fs }) : undefined;
    if (from) {
      const { state, optimizer: optState } = await readCheckpoint({ dir: from, fs });
      // [setting, in the checkpoint, in this run]; fields a checkpoint of an older version lacks are not compared.
      const same: Array<[string, unknown, unknown]> = [
        ['numItems', state.numItems, data.length], ['batchSize', state.batchSize, batchSize], ['epochs', state.epochs, epochs],
        ['baseLr', state.baseLr, lr], ['warmupFraction', state.warmupFraction, warmupFraction],
      ];
      if (state.weightDecay !== undefined) same.push(['weightDecay', state.weightDecay, weightDecay]);
      if (state.maxGradNorm !== undefined) same.push(['maxGradNorm', state.maxGradNorm, maxGradNorm]);
      if (state.shuffle !== undefined) same.push(['shuffle', state.shuffle, shuffle]);
      same.push(['accumulate', state.accumulate ?? 1, accumulate], ['maxSteps', state.maxSteps, maxSteps]);
      if (state.trainable !== undefined) {
        const was = new Set(state.trainable);
        const only = (a: Iterable<string>, b: { has(n: string): boolean }) => [...a].find((n) => !b.has(n));
        const lost = only(was, trainable);
        const gained = only(trainable.keys(), was);
        check(lost === undefined && gained === undefined, `cannot resume from ${from}: it trained other parameters (freeze): "${lost ?? gained}" is trained ${lost ? 'there but not in this run' : 'in this run but not there'}`);
      }
      if (state.settings !== undefined) {
        for (const k of new Set([...Object.keys(state.settings), ...Object.keys(opts.settings ?? {})])) same.push([k, state.settings[k], opts.settings?.[k]]);
      }
      for (const [k, was, is] of same) check(was === is, `cannot resume from ${from}: it was trained with ${k} = ${JSON.stringify(was)}, this run has ${JSON.stringify(is)}`);
      check(opts.seed === undefined || opts.seed === state.seed, `cannot resume from ${from}: it was trained with seed ${state.seed}, this run asks for ${opts.seed}`);
      await loadModel(from);
      optimizer.setState(optState);
      seed = state.seed;
      rng.setState(state.rngState);
      ({ epoch, batchInEpoch, step } = state);
      window = state.lossWindow;
      resumedFrom = from;
      const where =
        step === totalSteps ? 'nothing left to train'
        : batchInEpoch < batchesPerEpoch ? `epoch ${epoch + 1}/${epochs}, batch ${batchInEpoch + 1} of ${batchesPerEpoch}`
        : `evaluation of epoch ${epoch + 1}/${epochs}`;
      say(`resuming from step ${step} of ${totalSteps} (${where}; checkpoint ${from})`);
      await opts.onResume?.({ checkpoint: from, step, epoch, batchInEpoch });
    }

    const log = opts.logDir
      ? await TrainingLog.open({
          dir: opts.logDir,
          fs,
          plotMetrics: opts.plotMetrics,
          totalSteps,
          keep: resumedFrom ? (r) => (r.type === 'loss' ? r.step <= step : r.epoch < epoch) : undefined,
        })
      : undefined;
    const evals: EvalLogRow[] = log ? log.rows.filter((r): r is EvalLogRow => r.type === 'eval') : [];
    const progress: Progress =
      typeof opts.progress === 'object'
        ? opts.progress
        : createProgress({ mode: typeof opts.progress === 'string' ? opts.progress : opts.progress === false ? 'lines' : 'auto', every: opts.progressEvery, stream: opts.progressStream, clock });
    let lastCheckpoint: string | undefined;
    let lastLoss = NaN;
    let windowStart = clock();
    // Speed counts this process's documents only: a restored window's documents were not timed here.
    let windowDocs = 0;

    const checkpoint = async (): Promise<void> => {
      if (!checkpointDir) return;
      const state: TrainingState = {
        format: 'spert-trainer/1', seed, epoch, batchInEpoch, step, epochs, batchSize, numItems: data.length,
        batchesPerEpoch, totalSteps, baseLr: lr, warmupFraction, rngState: rng.getState(), lossWindow: window,
        weightDecay, maxGradNorm, shuffle, trainable: [...trainable.keys()], settings: { ...opts.settings },
        ...(accumulate > 1 ? { accumulate } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}),
      };
      lastCheckpoint = await writeCheckpoint({ root: checkpointDir, state, optimizer: optimizer.getState(), shapes, saveModel, fs });
      await pruneCheckpoints({ root: checkpointDir, keep: keepCheckpoints, fs });
    };

    const evaluate = async (atEpoch: number, atStep: number): Promise<void> => {
      const metrics = opts.onEpochEnd ? await opts.onEpochEnd({ epoch: atEpoch, step: atStep }) : undefined;
      if (!metrics) return;
      const row: EvalLogRow = { type: 'eval', epoch: atEpoch, step: atStep, metrics, time: new Date(clock()).toISOString() };
      evals.push(row);
      if (log) await log.add(row);
    };
    let lastUpdate: ProgressUpdate | undefined;
    progress.start(totalSteps, step, epochs);
    let stopped = false;
    try {
      for (; epoch < epochs && !stopped; epoch++, batchInEpoch = 0) {
        const batches = epochBatches({ numItems: data.length, batchSize: itemsPerUpdate, seed, epoch, shuffle });
        for (; batchInEpoch < batchesPerEpoch && step < totalSteps; ) {
          if (signal?.aborted) {
            stopped = true;
            break;
          }
          const batch = batches[batchInEpoch].map((i) => data[i]);
          const stepLr = schedule.lrAt(step);
          const { loss, parts, units } = trainStep({ batch, batchSize, batchLoss, ctx: { epoch, step, batchIndex: batchInEpoch, rng }, trainableList, byTfName, gradOrder, optimizer, lr: stepLr, maxGradNorm });
          step++;
          batchInEpoch++;
          lastLoss = loss;
          window.steps++;
          window.loss += loss;
          window.docs += units;
          windowDocs += units;
          for (const [k, v] of Object.entries(parts)) window.parts[k] = (window.parts[k] ?? 0) + v;
          const elapsed = Math.max(1e-9, (clock() - windowStart) / 1000);
          lastUpdate = { step, epoch, loss, lr: stepLr, docsPerSecond: windowDocs / elapsed, unit: opts.speedUnit };
          progress.update(lastUpdate);
          if (window.steps === logEvery || step === totalSteps) {
            if (log) {
              const mean = (x: number) => x / window.steps;
              await log.add({
                type: 'loss', epoch, step, steps: window.steps, loss: mean(window.loss),
                parts: Object.fromEntries(Object.entries(window.parts).map(([k, v]) => [k, mean(v)])),
                lr: stepLr, docsPerSecond: windowDocs / elapsed, time: new Date(clock()).toISOString(),
              });
            }
            window = { steps: 0, loss: 0, parts: {}, docs: 0 };
            windowStart = clock();
            windowDocs = 0;
          }
          const lastOfEpoch = batchInEpoch === batchesPerEpoch || step === totalSteps;
          if (evaluateEverySteps && opts.onEpochEnd && step % evaluateEverySteps === 0 && !lastOfEpoch) {
            const evalStart = clock();
            await evaluate(epoch, step);
            windowStart += clock() - evalStart;
          }
          if (checkpointEverySteps && step % checkpointEverySteps === 0 && !(lastOfEpoch && checkpointEveryEpoch)) await checkpoint();
        }
        if (stopped) break;
        // Before the evaluation, whose messages must not land on the bar's line.
        if (lastUpdate) progress.endEpoch(lastUpdate);
        const epochEndStart = clock();
        await evaluate(epoch, step);
        if (checkpointEveryEpoch) {
          // The position is the next epoch's start, so a resume does not evaluate this one again.
          epoch++;
          batchInEpoch = 0;
          try {
            await checkpoint();
          } finally {
            epoch--;
          }
        }
        // Evaluation and checkpoint time is not training speed.
        windowStart += clock() - epochEndStart;
      }
      if (stopped) await checkpoint();
    } finally {
      progress.stop();
    }
    return { steps: step, totalSteps, seed, lastLoss, evals, stopped, resumedFrom, lastCheckpoint };
  } finally {
    optimizer.dispose();
  }
}

/**
 * Parameter names in the order of tf.variableGrads's result (an object keyed by variable name:
 * integer-like names first, ascending, then insertion order): the gradient norm adds its per-tensor
 * sums in this one order, whichever way the gradients were computed (streamed or not, accumulated
 * or not). The same for every step: computed once.
 */
function gradientOrder(trainableList: readonly tf.Variable[], byTfName: ReadonlyMap<string, string>): string[] {
  const keyed: Record<string, true> = {};
  for (const v of trainableList) keyed[v.name] = true;
  return Object.keys(keyed).map((tfName) => byTfName.get(tfName) as string);
}

interface TrainStepArgs<T> {
  /** The update's items: `accumulate` micro-batches of `batchSize`, one after the other. */
  batch: T[];
  batchSize: number;
  batchLoss: (batch: T[], ctx: StepContext) => BatchLossResult;
  ctx: StepContext;
  trainableList: tf.Variable[];
  byTfName: ReadonlyMap<string, string>;
  gradOrder: readonly string[];
  optimizer: AdamW;
  lr: number;
  maxGradNorm: number;
}

// One update: loss and gradients (summed over the micro-batches, then averaged), clip coefficient
// (folded into the optimizer's scale with the average), AdamW. Every tensor it makes is disposed
// before it returns. With one micro-batch this is exactly the single-batch step.
function trainStep<T>({ batch, batchSize, batchLoss, ctx, trainableList, byTfName, gradOrder, optimizer, lr, maxGradNorm }: TrainStepArgs<T>): { loss: number; parts: Record<string, number>; units: number } {
  const micro = batch.length / batchSize;
  const summed = new Map<string, tf.Tensor>();
  let loss = 0;
  let units = 0;
  const parts: Record<string, number> = {};
  try {
    for (let m = 0; m < micro; m++) {
      const keptParts = new Map<string, tf.Scalar>();
      let value: tf.Scalar | undefined;
      try {
        let batchUnits = batchSize;
        // Each gradient is added into the running sum as soon as the backward pass completes it
        // (streaming-grads.ts): a micro-batch never holds a second full set of gradients.
        value = streamVariableGrads(() => {
          const out = batchLoss(micro === 1 ? batch : batch.slice(m * batchSize, (m + 1) * batchSize), ctx);
          const l = out instanceof tf.Tensor ? out : out.loss;
          if (!(l instanceof tf.Tensor) || l.rank !== 0) throw new SpertError('INVALID_INPUT', `train: batchLoss must return a scalar loss (epoch ${ctx.epoch}, batch ${ctx.batchIndex})`);
          if (!(out instanceof tf.Tensor)) {
            if (out.parts) for (const [k, t] of Object.entries(out.parts)) keptParts.set(k, tf.keep(t));
            if (out.units !== undefined) batchUnits = out.units;
          }
          return l;
        }, trainableList, (variable, g) => {
          const name = byTfName.get(variable.name) as string;
          const prev = summed.get(name);
          if (prev) {
            summed.set(name, tf.keep(tf.add(prev, g)));
            prev.dispose();
            g.dispose();
          } else {
            summed.set(name, g);
          }
        });
        const v = value.dataSync()[0];
        if (!Number.isFinite(v)) throw new SpertError('TRAINING_DIVERGED', `train: loss is ${v} at epoch ${ctx.epoch}, batch ${ctx.batchIndex}${micro > 1 ? `, micro-batch ${m + 1} of ${micro}` : ''} (step ${ctx.step}); parameters were not updated`);
        loss += v / micro;
        units += batchUnits;
        for (const [k, t] of keptParts) parts[k] = (parts[k] ?? 0) + t.dataSync()[0] / micro;
      } finally {
        value?.dispose();
        for (const t of keptParts.values()) t.dispose();
      }
    }
    // The mean gradient is summed / micro: its norm is the sum's over micro, and the division is
    // folded into the optimizer's scale with the clip coefficient.
    const ordered: Array<readonly [string, tf.Tensor]> = [];
    for (const name of gradOrder) {
      const g = summed.get(name);
      if (g) ordered.push([name, g]);
    }
    summed.clear();
    for (const [name, g] of ordered) summed.set(name, g);
    const scale = clipScale(globalGradNorm(summed.values()) / micro, maxGradNorm) / micro;
    optimizer.applyGradients(summed, lr, scale);
    return { loss, parts, units };
  } finally {
    for (const g of summed.values()) g.dispose();
  }
}
