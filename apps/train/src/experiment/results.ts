import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseJson, writeFileAtomic, SpertError } from '@spert/core';
import { EVAL_CSV_COLUMNS, evalMetricValues, type EvaluationResult } from '@spert/evaluator';
import type { TrainConfig } from '../options';
import type { AblationVariant, ExperimentName, MetricRef } from './definitions';

/** The 18 metric names of the evaluator's CSV: ner/rel/rel_nec x prec/rec/f1 x micro/macro. */
export const METRIC_NAMES = EVAL_CSV_COLUMNS.slice(0, 18) as string[];

/** The evaluator's 18 micro/macro precision/recall/F1 values of one evaluation (percent), by CSV column name. */
export type MetricValues = Record<string, number>;

/** Flattens an evaluation into its 18 named values. */
export function metricValues(result: EvaluationResult): MetricValues {
  const values = evalMetricValues(result);
  return Object.fromEntries(METRIC_NAMES.map((n, i) => [n, values[i]]));
}

/** The metric name of a table cell's F1 (e.g. rel_nec_f1_micro). */
export function f1Name(ref: MetricRef): string {
  return `${ref.setting}_f1_${ref.average}`;
}

/** The settings that must be equal for a run to be resumed into an experiment directory. */
export interface ComparableConfig {
  experiment: ExperimentName;
  final: boolean;
  /** The shared training settings (without what is set per run or only changes the display). */
  train: Record<string, unknown>;
}

/** One finished training (a seed; for ADE a fold and seed; for the ablations a variant and seed). */
export interface UnitRecord {
  id: string;
  seed: number;
  fold?: number;
  variant?: string;
  /** The run directory relative to the experiment directory (spert-train's output). */
  dir: string;
  /** The run's full spert-train configuration. */
  config: TrainConfig;
  /** The data file names (keys of `data`) it trained and was evaluated on. */
  files: { train: string; valid: string; types: string };
  metrics: MetricValues;
  /** ADE: the no_overlapping evaluation of the same predictions. */
  metricsNoOverlapping?: MetricValues;
  /** Training and evaluation, wall clock. */
  seconds: number;
  /** Whether it continued from a checkpoint of an interrupted run. */
  resumed: boolean;
  finishedAt: string;
  codeCommit: string;
}

/** Mean and standard deviation of every metric over a group of runs. */
export interface Summary {
  n: number;
  ids: string[];
  mean: MetricValues;
  /** Sample standard deviation (n - 1 in the denominator; 0 for a single run). */
  std: MetricValues;
  meanNoOverlapping?: MetricValues;
  stdNoOverlapping?: MetricValues;
}

/** The contents of `<out>/results.json`. */
export interface ExperimentResults {
  version: 1;
  experiment: ExperimentName;
  config: ComparableConfig;
  /** Every run id asked for so far (seeds x folds or variants, over all invocations): the tables and means cover these. */
  planned: string[];
  /** Ablations: every variant asked for so far, with what it changes. */
  variants?: AblationVariant[];
  /** `git rev-parse HEAD` at the last invocation ("unknown" outside git), and whether the work tree had changes. */
  codeCommit: string;
  codeDirty: boolean | null;
  /** Every data file used, by file name: absolute path and sha256 of its bytes. */
  data: Record<string, { path: string; sha256: string }>;
  units: Record<string, UnitRecord>;
  /** By group: "all" (conll04, scierc, ade: over seeds / folds) or a variant name (ablations). */
  summary: Record<string, Summary>;
  timings: { createdAt: string; updatedAt: string; trainingSeconds: number };
}

/** sha256 (hex) of a file's bytes. */
export async function sha256File(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** The commit of the working directory's repository, or "unknown" outside git. */
export function codeCommit(cwd = process.cwd()): { commit: string; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: 'unknown', dirty: null };
  }
}

/** Arithmetic mean (NaN for no values). */
export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n - 1); 0 for one value. */
export function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function aggregate(values: MetricValues[]): { mean: MetricValues; std: MetricValues } {
  const m: MetricValues = {};
  const s: MetricValues = {};
  for (const name of METRIC_NAMES) {
    const xs = values.map((v) => v[name]);
    m[name] = mean(xs);
    s[name] = sampleStd(xs);
  }
  return { mean: m, std: s };
}

/** Mean and std over the given runs. */
export function summarize(units: UnitRecord[]): Summary {
  const { mean: m, std: s } = aggregate(units.map((u) => u.metrics));
  const summary: Summary = { n: units.length, ids: units.map((u) => u.id), mean: m, std: s };
  const without = units.map((u) => u.metricsNoOverlapping);
  if (units.length > 0 && without.every((w): w is MetricValues => w !== undefined)) {
    const a = aggregate(without);
    summary.meanNoOverlapping = a.mean;
    summary.stdNoOverlapping = a.std;
  }
  return summary;
}

/** The first setting where two values differ, as a dotted path, or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return at || '(root)';
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isObj(a) && isObj(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const d = firstDifference(a[k], b[k], at ? `${at}.${k}` : k);
      if (d) return d;
    }
    return undefined;
  }
  return at || '(root)';
}

function valueAt(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[part] : undefined;
  return cur;
}

/**
 * Throws when an existing results.json was made with other settings or other data, naming the
 * first key (or file) that differs: resuming into it would mix incomparable runs.
 */
export function assertResumable(file: string, existing: ExperimentResults, config: ComparableConfig, data: ExperimentResults['data']): void {
  const key = firstDifference(existing.config, config);
  if (key) {
    const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
    throw new SpertError('INVALID_OPTION',
      `${file} was made with a different configuration: ${key} is ${show(valueAt(existing.config, key))} there and ${show(valueAt(config, key))} now; ` +
        'use another --out, or run with the settings recorded there',
    );
  }
  for (const [name, d] of Object.entries(data)) {
    const before = existing.data[name];
    if (before && before.sha256 !== d.sha256) {
      throw new SpertError('INVALID_OPTION', `${file} was made with different data: ${name} had sha256 ${before.sha256} (${before.path}), ${d.path} has ${d.sha256}; use another --out`);
    }
  }
}

/** Reads results.json, or undefined when there is none. */
export async function readResults(file: string): Promise<ExperimentResults | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SpertError('INVALID_FILE', `${file}: cannot read the results file: ${(e as Error).message}`);
  }
  const json = parseJson(text, file, 'experiment results');
  const r = json as Partial<ExperimentResults> | null;
  if (typeof r !== 'object' || r === null || r.version !== 1 || typeof r.units !== 'object' || typeof r.config !== 'object') {
    throw new SpertError('INVALID_FILE', `${file}: not a spert-experiment results file (version 1 with "config" and "units"); use another --out`);
  }
  return r as ExperimentResults;
}

/** Writes results.json atomically (a kill never leaves half a file). */
export async function writeResults(file: string, results: ExperimentResults): Promise<void> {
  await writeFileAtomic({ path: file, data: `${JSON.stringify(results, null, 2)}\n` });
}
