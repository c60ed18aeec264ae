// One training run of the backend, as plain data in and out, so that it runs the same in a
// worker thread (the default) and in a BullMQ worker process (--queue).
import { useBackend, type BackendName } from '@spert/backend';
import type { Document, TypesSchema } from '@spert/core';
import { evaluatePredictor } from '@spert/evaluator';
import { openModel, saveModel, SpertModel } from '@spert/model';
import { trainSpert, type SpertHyperparameters } from '@spert/trainer';

/** Where a run starts from: the model serving now (a SpERT directory), or an encoder given at start-up. */
export type TrainStart = { kind: 'model'; dir: string } | { kind: 'encoder'; id: string };

/** A training run: plain, structured-clone and JSON safe. */
export interface TrainJob {
  start: TrainStart;
  /** The types of the model (from the model, or from the labeling config with an encoder). */
  types: TypesSchema;
  train: Document[];
  /** The held-out share of the annotated tasks both models are scored on. */
  heldOut: Document[];
  /** The model serving now, scored on `heldOut` for the comparison; absent: nothing to beat. */
  currentDir?: string;
  /** Where an accepted model is saved. */
  outDir: string;
  hyperparameters: Partial<SpertHyperparameters>;
  backend: BackendName;
}

/** How a model did on the held-out documents. */
export interface HeldOutScores {
  /** Entity micro F1 (%). */
  entityF1: number;
  /** Relation micro F1 with entity types (%, the reference's "with NEC"). */
  relationF1: number;
  /** What "not worse" compares: the mean of the two. */
  score: number;
}

/** What a run did. */
export interface TrainJobResult {
  /** True when the new model is not worse than the current one on the held-out documents (and was saved to `modelDir`). */
  accepted: boolean;
  modelDir?: string;
  current?: HeldOutScores;
  candidate?: HeldOutScores;
  steps: number;
  seconds: number;
  /** One line saying what happened and why. */
  summary: string;
}

async function scores(model: SpertModel, documents: readonly Document[], types: TypesSchema): Promise<HeldOutScores> {
  const e = await evaluatePredictor({ predictor: model.asPredictor(), types, documents, source: 'held-out tasks' });
  const entityF1 = e.result.ner.micro.f1;
  const relationF1 = types.relations.length > 0 ? e.result.relNec.micro.f1 : entityF1;
  return { entityF1, relationF1, score: (entityF1 + relationF1) / 2 };
}

/** The swap rule: the new model is taken unless it scores lower than the current one on the held-out tasks (ties are taken: the newer model saw more annotations). */
export function notWorse(candidate: HeldOutScores, current: HeldOutScores): boolean {
  return candidate.score >= current.score;
}

const fmt = (s: HeldOutScores) => `entities F1 ${s.entityF1.toFixed(2)}, relations F1 ${s.relationF1.toFixed(2)}`;

/**
 * Trains from the job's start on its training documents, scores the current model and the new
 * one on the held-out documents, and saves the new one to `outDir` when it is not worse (its
 * mean of entity and relation micro F1 is at least the current model's). Without held-out
 * documents or a current model there is nothing to compare with: the new model is accepted.
 */
export async function runTrainJob(job: TrainJob, log: (line: string) => void = () => undefined): Promise<TrainJobResult> {
  const started = Date.now();
  await useBackend(job.backend);
  let current: HeldOutScores | undefined;
  if (job.currentDir && job.heldOut.length > 0) {
    const serving = await SpertModel.load({ dir: job.currentDir, types: job.types });
    try {
      current = await scores(serving, job.heldOut, job.types);
    } finally {
      serving.dispose();
    }
  }
  const model = job.start.kind === 'model' ? await SpertModel.load({ dir: job.start.dir, types: job.types }) : await openModel({ id: job.start.id, types: job.types });
  try {
    const result = await trainSpert({ ...job.hyperparameters, model, documents: job.train, source: 'annotated tasks', progress: 'off', log });
    const candidate = job.heldOut.length > 0 ? await scores(model, job.heldOut, job.types) : undefined;
    const seconds = (Date.now() - started) / 1000;
    const base = { steps: result.steps, seconds, ...(current ? { current } : {}), ...(candidate ? { candidate } : {}) };
    const trained = `${result.steps} steps on ${job.train.length} tasks in ${seconds.toFixed(1)} s`;
    if (current && candidate && !notWorse(candidate, current)) {
      return { ...base, accepted: false, summary: `${trained}; kept the current model: the new one is worse on ${job.heldOut.length} held-out tasks (${fmt(candidate)} against ${fmt(current)})` };
    }
    await saveModel(model, job.outDir);
    const why = current && candidate ? `not worse on ${job.heldOut.length} held-out tasks (${fmt(candidate)} against ${fmt(current)})` : candidate ? `no current model to compare with (${fmt(candidate)} on ${job.heldOut.length} held-out tasks)` : 'no held-out tasks to compare on';
    return { ...base, accepted: true, modelDir: job.outDir, summary: `${trained}; new model accepted: ${why}` };
  } finally {
    model.dispose();
  }
}
