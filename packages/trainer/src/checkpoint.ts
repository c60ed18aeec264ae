import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, writeSafetensors, type NamedTensor } from '@spert/checkpoint';
import type { AdamWState } from './adamw';
import type { Xoshiro128State } from './xoshiro128';
import { writeDirectoryAtomic, writeFileAtomic } from '@spert/core';
import { nodeFs, type TrainerFs } from './trainer-fs';

/** Everything besides tensors that a resumed run needs (training_state.json). */
export interface TrainingState {
  format: 'spert-trainer/1';
  seed: number;
  /** Epoch to continue in (zero-based). */
  epoch: number;
  /** Batches of `epoch` already done; equal to batchesPerEpoch when only its evaluation is pending. */
  batchInEpoch: number;
  /** Optimizer updates done, which is also the schedule position. */
  step: number;
  epochs: number;
  batchSize: number;
  numItems: number;
  batchesPerEpoch: number;
  totalSteps: number;
  baseLr: number;
  warmupFraction: number;
  /** Generator state for the per-step randomness handed to the loss function. */
  rngState: Xoshiro128State;
  /** Running loss window of the logger, so logged averages survive a resume. */
  lossWindow: { steps: number; loss: number; parts: Record<string, number>; docs: number };
  // Absent in checkpoints written before they were added; then not compared on resume.
  weightDecay?: number;
  maxGradNorm?: number;
  shuffle?: boolean;
  /** Names of the trained parameters (what `freeze` left). */
  trainable?: string[];
  /** The caller's further settings that shape the run (TrainOptions.settings). */
  settings?: Record<string, string | number | boolean>;
  /** Micro-batches per update (absent: 1). */
  accumulate?: number;
  /** The run's update limit (absent: none). */
  maxSteps?: number;
}

const STATE_FILE = 'training_state.json';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const PREFIX = 'checkpoint-';

/** Directory name of the checkpoint taken after `step` updates. */
export function checkpointName(step: number): string {
  return `${PREFIX}${String(step).padStart(8, '0')}`;
}

/** Options of {@link writeCheckpoint}. */
export interface WriteCheckpointOptions {
  /** Folder holding the checkpoints. */
  root: string;
  state: TrainingState;
  optimizer: AdamWState;
  /** Shapes of the parameters the optimizer state belongs to. */
  shapes: ReadonlyMap<string, readonly number[]>;
  /** Writes the model into the given (temporary) directory. */
  saveModel: (dir: string) => Promise<void>;
  fs?: TrainerFs;
}

/**
 * Test hook of the kill -9 tests: when SPERT_TEST_CRASH_IN_CHECKPOINT names this step, the
 * process SIGKILLs itself in the middle of writing that checkpoint (weights and optimizer state
 * written, training state not), the worst moment for a crash. Never set outside tests.
 */
function crashHook(step: number): void {
  const at = process.env.SPERT_TEST_CRASH_IN_CHECKPOINT;
  if (at !== undefined && Number(at) === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * Writes a checkpoint atomically and durably: every file goes (fsynced) to a temporary folder
 * that is renamed to `checkpoint-<step>` only once complete, then the folder of checkpoints is
 * fsynced, so a crash or power cut mid-write leaves earlier checkpoints as they were and leaves no
 * half-written `checkpoint-*`. Returns the final path.
 */
export async function writeCheckpoint({ root, state, optimizer, shapes, saveModel, fs = nodeFs }: WriteCheckpointOptions): Promise<string> {
  const name = checkpointName(state.step);
  const final = path.join(root, name);
  // The same step is only checkpointed again after a rerun from an older checkpoint: replaced whole.
  await writeDirectoryAtomic({
    path: final,
    tmp: path.join(root, `.tmp-${name}-${process.pid}`),
    fs,
    fill: async (tmp) => {
      await saveModel(tmp);
      await writeFileAtomic({ path: path.join(tmp, OPTIMIZER_FILE), data: encodeOptimizerState(optimizer, shapes), fs });
      crashHook(state.step);
      // Written last: a folder without it is never taken for a checkpoint.
      await writeFileAtomic({ path: path.join(tmp, STATE_FILE), data: JSON.stringify(state, null, 2) + '\n', fs });
    },
  });
  return final;
}

/** Serialises optimizer moments as safetensors (`<param>.exp_avg`, `<param>.exp_avg_sq`, step in metadata). */
export function encodeOptimizerState(optimizer: AdamWState, shapes: ReadonlyMap<string, readonly number[]>): Uint8Array {
  const tensors = new Map<string, NamedTensor>();
  for (const [kind, map] of [['exp_avg', optimizer.expAvg], ['exp_avg_sq', optimizer.expAvgSq]] as const) {
    for (const [name, data] of map) {
      const shape = shapes.get(name);
      if (!shape) throw new Error(`encodeOptimizerState: no shape for parameter "${name}"`);
      tensors.set(`${name}.${kind}`, { shape: [...shape], data });
    }
  }
  return writeSafetensors(tensors, { format: 'spert-trainer/adamw', step: String(optimizer.step) });
}

/** Parses {@link encodeOptimizerState}'s bytes. */
export function decodeOptimizerState(bytes: Uint8Array, source = OPTIMIZER_FILE): AdamWState {
  const file = readSafetensors(bytes, source);
  const step = Number(file.metadata.step);
  if (!Number.isInteger(step) || step < 0) throw new Error(`${source}: metadata "step" must be a non-negative integer, got ${file.metadata.step}`);
  const expAvg = new Map<string, Float32Array>();
  const expAvgSq = new Map<string, Float32Array>();
  for (const [key, t] of file.tensors) {
    const m = /^(.*)\.(exp_avg|exp_avg_sq)$/.exec(key);
    if (!m || !(t.data instanceof Float32Array)) throw new Error(`${source}: unexpected tensor "${key}" (want <param>.exp_avg / <param>.exp_avg_sq, float)`);
    (m[2] === 'exp_avg' ? expAvg : expAvgSq).set(m[1], t.data);
  }
  return { step, expAvg, expAvgSq };
}

/**
 * The newest usable checkpoint under `root`, or undefined when there is none. A folder whose
 * training state does not parse (copied half, damaged disk) is skipped for the one before it.
 */
export async function latestCheckpoint({ root, fs = nodeFs }: { root: string; fs?: TrainerFs }): Promise<string | undefined> {
  const all = await listCheckpoints({ root, fs });
  for (let i = all.length - 1; i >= 0; i--) {
    try {
      const state = JSON.parse(new TextDecoder().decode(await fs.readBytes(path.join(all[i].path, STATE_FILE)))) as Partial<TrainingState>;
      if (state.format === 'spert-trainer/1') return all[i].path;
    } catch {
      // unreadable: try the previous one
    }
  }
  return undefined;
}

/** Complete checkpoints under `root`, oldest first. */
export async function listCheckpoints({ root, fs = nodeFs }: { root: string; fs?: TrainerFs }): Promise<Array<{ path: string; step: number }>> {
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return [];
  }
  const found: Array<{ path: string; step: number }> = [];
  for (const name of names) {
    const m = /^checkpoint-(\d+)$/.exec(name);
    if (!m) continue;
    const dir = path.join(root, name);
    let inside: string[];
    try {
      inside = await fs.readdir(dir);
    } catch {
      continue;
    }
    // The training state is written last, after the weights and the optimizer state: a folder
    // without both is not a checkpoint (e.g. one copied by hand and cut short).
    if (inside.includes(STATE_FILE) && inside.includes(OPTIMIZER_FILE)) found.push({ path: dir, step: Number(m[1]) });
  }
  return found.sort((a, b) => a.step - b.step);
}

/** Deletes all but the newest `keep` checkpoints and any temporary folder left by a crash. */
export async function pruneCheckpoints({ root, keep, fs = nodeFs }: { root: string; keep: number; fs?: TrainerFs }): Promise<void> {
  const all = await listCheckpoints({ root, fs });
  for (const c of all.slice(0, Math.max(0, all.length - keep))) await fs.rm(c.path, { recursive: true, force: true });
  let names: string[] = [];
  try {
    names = await fs.readdir(root);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(`.tmp-${PREFIX}`)) await fs.rm(path.join(root, n), { recursive: true, force: true });
}

/** Reads a checkpoint's training state and optimizer state. */
export async function readCheckpoint({ dir, fs = nodeFs }: { dir: string; fs?: TrainerFs }): Promise<{ state: TrainingState; optimizer: AdamWState }> {
  const statePath = path.join(dir, STATE_FILE);
  let state: TrainingState;
  try {
    state = JSON.parse(new TextDecoder().decode(await fs.readBytes(statePath))) as TrainingState;
  } catch (e) {
    throw new Error(`readCheckpoint: cannot read ${statePath}: ${(e as Error).message}`);
  }
  if (state.format !== 'spert-trainer/1') throw new Error(`readCheckpoint: ${statePath} has format ${JSON.stringify(state.format)}, expected "spert-trainer/1"`);
  const optPath = path.join(dir, OPTIMIZER_FILE);
  const optimizer = decodeOptimizerState(await fs.readBytes(optPath), optPath);
  return { state, optimizer };
}

/** Writes named variables as `model.safetensors` (the trainer's default model saver). */
export async function saveVariables({ dir, params, fs = nodeFs }: { dir: string; params: ReadonlyMap<string, tf.Variable>; fs?: TrainerFs }): Promise<void> {
  const tensors = new Map<string, NamedTensor>();
  for (const [name, v] of params) {
    if (v.dtype !== 'float32' && v.dtype !== 'int32') throw new Error(`saveVariables: "${name}" has dtype ${v.dtype}; only float32 and int32 are stored`);
    tensors.set(name, { shape: [...v.shape], data: v.dataSync() as Float32Array | Int32Array });
  }
  await writeFileAtomic({ path: path.join(dir, 'model.safetensors'), data: writeSafetensors(tensors), fs });
}

/** Loads `model.safetensors` into named variables (shapes checked; every variable must be present). */
export async function loadVariables({ dir, params, fs = nodeFs }: { dir: string; params: ReadonlyMap<string, tf.Variable>; fs?: TrainerFs }): Promise<void> {
  const file = path.join(dir, 'model.safetensors');
  const st = readSafetensors(await fs.readBytes(file), file);
  for (const [name, v] of params) {
    const t = st.tensors.get(name);
    if (!t) throw new Error(`loadVariables: ${file} has no tensor "${name}"`);
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      throw new Error(`loadVariables: ${file}: "${name}" has shape [${t.shape}], the variable has [${v.shape}]`);
    }
    const value = tf.tensor(t.data, v.shape, v.dtype);
    v.assign(value);
    value.dispose();
  }
}
