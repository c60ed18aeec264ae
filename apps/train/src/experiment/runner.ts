import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { findOrDownloadDataset, readDataset, readJsonFile, readTypes, writeFileAtomic, type Document } from '@spert/core';
import { evaluate } from '@spert/evaluator';
import { latestCheckpoint } from '@spert/trainer';
import { resolveConfig, type TrainConfig } from '../options';
import { runTraining, type TrainingRun } from '../run-training';
import type { ExperimentOptions } from './args';
import { experimentDefinition, type ExperimentDefinition, type PlannedRun as Unit } from './definitions';
import {
  assertResumable,
  codeCommit,
  metricValues,
  readResults,
  sha256File,
  summarize,
  writeResults,
  type ComparableConfig,
  type ExperimentResults,
  type UnitRecord,
} from './results';
import { formatTables } from './tables';

/** What the runner calls to train (spert-train's runTraining; tests wrap it to count trainings). */
export type TrainFn = (config: TrainConfig, log: (line: string) => void) => Promise<TrainingRun>;

/** Injectable parts of {@link runExperiment}. */
export interface ExperimentDeps {
  train?: TrainFn;
  log?: (line: string) => void;
}

/** What an experiment produced. */
export interface ExperimentOutcome {
  results: ExperimentResults;
  resultsFile: string;
  /** The markdown tables (also written to `<out>/tables.md`). */
  tables: string;
  /** Ids of the runs trained by this invocation (the others were finished before). */
  trained: string[];
}

// Keys set per run, or that only change what is printed: not part of the comparison on resume.
const PER_RUN_OR_DISPLAY = ['train', 'valid', 'types', 'out', 'seed', 'resume', 'progress', 'progressEvery', 'verbose'];

function requireFile(file: string, why: string): string {
  if (!existsSync(file)) throw new Error(`${file}: no such file (${why})`);
  return file;
}

// Documents of several dataset files as one file under `<out>/data` (a train+dev set none ships).
async function mergeFiles(files: string[], out: string, as: string): Promise<string> {
  const parts: unknown[] = [];
  for (const file of files) {
    const json = await readJsonFile(file, { what: 'dataset' });
    if (!Array.isArray(json)) throw new Error(`${file}: a dataset must be a JSON array of documents`);
    parts.push(...json);
  }
  const merged = path.join(out, 'data', as);
  await writeFileAtomic({ path: merged, data: JSON.stringify(parts) });
  return merged;
}

async function plan(o: ExperimentOptions, def: ExperimentDefinition, out: string, log: (s: string) => void): Promise<Unit[]> {
  const { dir, layout } = await findOrDownloadDataset({ name: def.dataset, dir: o.dataDir, log });
  const file = (name: string | undefined, why: string) => {
    if (name === undefined) throw new Error(`${dir}: the ${def.dataset} layout has no file for ${why}`);
    return requireFile(path.join(dir, name), why);
  };
  return def.plan({
    seeds: o.seeds,
    folds: o.folds,
    variants: o.variants,
    final: o.final,
    layout,
    file,
    merge: (names, as, why) => mergeFiles(names.map((n) => file(n, why)), out, as),
  });
}

function unitConfig(o: ExperimentOptions, u: Unit, out: string, resume: boolean): TrainConfig {
  const layers = [o.train, u.variant?.changes, { train: u.train, valid: u.valid, types: u.types, ...(u.tuneSet ? { tuneSet: u.tuneSet } : {}), out: path.join(out, 'runs', u.id), seed: u.seed, resume, noOverlapping: false }];
  try {
    return resolveConfig(layers);
  } catch (e) {
    if (!u.variant) throw e;
    throw new Error(`ablation variant "${u.variant.name}" (${JSON.stringify(u.variant.changes)}): ${(e as Error).message}`);
  }
}

async function modelPresent(runDir: string): Promise<boolean> {
  return existsSync(path.join(runDir, 'model', 'config.json'));
}

async function scoreRun(u: Unit, runDir: string, withoutOverlap: boolean): Promise<Pick<UnitRecord, 'metrics' | 'metricsNoOverlapping'>> {
  const types = await readTypes({ path: u.types });
  const gold: Document[] = (await readDataset({ path: u.valid, types })).documents;
  const file = path.join(runDir, 'eval', `predictions_${path.basename(u.valid, '.json')}.json`);
  const predicted: Document[] = (await readDataset({ path: requireFile(file, "the run's predictions, written by spert-train"), types })).documents;
  if (predicted.length !== gold.length) throw new Error(`${file}: ${predicted.length} predicted documents for the ${gold.length} of ${u.valid}`);
  const metrics = metricValues(evaluate({ gold, predicted, types }));
  // The paper's second ADE row: the same predictions, scored without overlapping entities.
  return withoutOverlap ? { metrics, metricsNoOverlapping: metricValues(evaluate({ gold, predicted, types, noOverlapping: true })) } : { metrics };
}

function summaries(results: ExperimentResults): ExperimentResults['summary'] {
  const done = results.planned.map((id) => results.units[id]).filter((u): u is UnitRecord => u !== undefined);
  if (!results.variants) return done.length ? { all: summarize(done) } : {};
  const out: ExperimentResults['summary'] = {};
  for (const v of results.variants) {
    const mine = done.filter((u) => u.variant === v.name);
    if (mine.length) out[v.name] = summarize(mine);
  }
  return out;
}

/**
 * Runs an experiment: every planned training (seed, fold or variant) that is not finished yet,
 * each in `<out>/runs/<id>` through spert-train's runTraining, scoring its saved predictions;
 * records everything in `<out>/results.json` after each run and returns the tables.
 * A run counts as finished when results.json records it and its model directory is there; an
 * interrupted one continues from its checkpoint when it has one and otherwise starts afresh.
 */
export async function runExperiment(o: ExperimentOptions, deps: ExperimentDeps = {}): Promise<ExperimentOutcome> {
  const log = deps.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const train = deps.train ?? runTraining;
  const out = path.resolve(o.out);
  const resultsFile = path.join(out, 'results.json');
  const def = experimentDefinition(o.name, o.train.dataset);
  const units = await plan(o, def, out, log);

  const trainSettings: Record<string, unknown> = { ...o.train };
  for (const k of PER_RUN_OR_DISPLAY) delete trainSettings[k];
  const config: ComparableConfig = { experiment: o.name, final: o.final, train: JSON.parse(JSON.stringify(trainSettings)) as Record<string, unknown> };
  const data: ExperimentResults['data'] = {};
  for (const file of [...new Set(units.flatMap((u) => [u.train, u.valid, u.types]))]) data[path.basename(file)] = { path: file, sha256: await sha256File(file) };
  // Every run's configuration must be valid before the first one trains for hours.
  for (const u of units) unitConfig(o, u, out, false);

  const existing = await readResults(resultsFile);
  if (existing) assertResumable(resultsFile, existing, config, data);
  // A variant name means the same change in every invocation, or its runs would not compare.
  for (const v of o.variants) {
    const before = existing?.variants?.find((x) => x.name === v.name);
    if (before && JSON.stringify(before.changes) !== JSON.stringify(v.changes)) {
      throw new Error(`${resultsFile} was made with variant "${v.name}" changing ${JSON.stringify(before.changes)}, now ${JSON.stringify(v.changes)}; use another --out`);
    }
  }
  const variants = def.variants ? [...(existing?.variants ?? []), ...o.variants.filter((v) => !existing?.variants?.some((x) => x.name === v.name))] : undefined;
  const commit = codeCommit();
  const now = () => new Date().toISOString();
  const results: ExperimentResults = {
    version: 1,
    experiment: o.name,
    config,
    // Runs asked for before stay in the tables: `--folds 0,1` then `--folds 2,3` is one experiment of four folds.
    planned: [...new Set([...(existing?.planned ?? []), ...units.map((u) => u.id)])],
    ...(variants ? { variants } : {}),
    codeCommit: commit.commit,
    codeDirty: commit.dirty,
    data: { ...(existing?.data ?? {}), ...data },
    units: { ...(existing?.units ?? {}) },
    summary: {},
    timings: { createdAt: existing?.timings.createdAt ?? now(), updatedAt: now(), trainingSeconds: existing?.timings.trainingSeconds ?? 0 },
  };
  const save = async () => {
    results.summary = summaries(results);
    results.timings.updatedAt = now();
    await mkdir(out, { recursive: true });
    await writeResults(resultsFile, results);
  };
  await save();

  const trained: string[] = [];
  for (const [k, u] of units.entries()) {
    const runDir = path.join(out, 'runs', u.id);
    const where = `[${k + 1}/${units.length}] ${u.id}`;
    const recorded = results.units[u.id];
    if (recorded && (await modelPresent(runDir))) {
      log(`${where}: finished before (${recorded.finishedAt}), not run again`);
      continue;
    }
    if (recorded) {
      log(`${where}: recorded in results.json but ${path.join(runDir, 'model')} is missing: training it again`);
      delete results.units[u.id];
      await save();
    }
    const checkpoint = await latestCheckpoint({ root: path.join(runDir, 'checkpoints') });
    if (checkpoint) {
      log(`${where}: interrupted before; continuing from ${checkpoint}`);
    } else if (existsSync(runDir)) {
      log(`${where}: an unfinished run without a checkpoint is in ${runDir}: starting it afresh`);
      await rm(runDir, { recursive: true, force: true });
    } else {
      log(`${where}: training (seed ${u.seed}${u.fold === undefined ? '' : `, fold ${u.fold}`}${u.variant ? `, variant ${u.variant.name}` : ''})`);
    }
    const started = Date.now();
    const runConfig = unitConfig(o, u, out, checkpoint !== undefined);
    try {
      await train(runConfig, log);
    } catch (e) {
      // Which run failed, and that the same command continues the experiment from there.
      throw new Error(`${u.id} (${runDir}): ${(e as Error).message}; run the same spert-experiment command again to continue from the unfinished run`);
    }
    const scores = await scoreRun(u, runDir, def.scoreWithoutOverlap === true);
    const seconds = (Date.now() - started) / 1000;
    results.units[u.id] = {
      id: u.id,
      seed: u.seed,
      ...(u.fold === undefined ? {} : { fold: u.fold }),
      ...(u.variant ? { variant: u.variant.name } : {}),
      dir: path.relative(out, runDir),
      config: runConfig,
      files: { train: path.basename(u.train), valid: path.basename(u.valid), types: path.basename(u.types) },
      ...scores,
      seconds,
      resumed: checkpoint !== undefined,
      finishedAt: now(),
      codeCommit: commit.commit,
    };
    results.timings.trainingSeconds += seconds;
    trained.push(u.id);
    await save();
    log(`${where}: done in ${seconds.toFixed(0)} s`);
  }

  const tables = formatTables(results);
  await writeFileAtomic({ path: path.join(out, 'tables.md'), data: `${tables}\n` });
  return { results, resultsFile, tables, trained };
}
