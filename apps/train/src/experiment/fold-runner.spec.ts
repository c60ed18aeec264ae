import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { datasetStats, parseDataset, parseTypes, readDataset, readTypes, type Document } from '@spert/core';
import { evaluate } from '@spert/evaluator';
import { sharedPath } from '../../../../tools/testing/shared';
import type { TrainConfig } from '../options';
import { runTraining } from '../run-training';
import { parseExperimentArgs, type ExperimentOptions } from './args';
import { metricValues, METRIC_NAMES, readResults, type ExperimentResults } from './results';
import { runExperiment, type TrainFn } from './runner';

// A tiny scratch encoder; 20 epochs at a high rate on 8 documents so that the scores are not all 0.
const TINY = ['--epochs', '20', '--hidden-size', '32', '--layers', '1', '--heads', '2', '--intermediate-size', '64', '--lr', '1e-2', '--lr-warmup', '0', '--neg-entity-count', '20', '--neg-relation-count', '20', '--backend', 'wasm', '--no-progress'];

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function overlapping(d: Document): boolean {
  return datasetStats([d]).overlappingEntityPairs > 0;
}

describe('spert-experiment ade: the fold runner on two tiny folds', () => {
  let dir: string;
  let data: string;
  let out: string;
  const calls: TrainConfig[] = [];
  const train: TrainFn = (config, log) => {
    calls.push(config);
    return runTraining(config, log);
  };
  const quiet = () => undefined;
  const options = (...extra: string[]) => parseExperimentArgs(['ade', '--scratch', '--data', data, '--folds', '0,1', '--out', out, ...TINY, ...extra]) as ExperimentOptions;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-exp-ade-'));
    data = path.join(dir, 'data');
    out = path.join(dir, 'out');
    await mkdir(data);
    await copyFile(sharedPath('datasets', 'ade', 'ade_types.json'), path.join(data, 'ade_types.json'));
    const types = parseTypes(JSON.parse(readFileSync(sharedPath('datasets', 'ade', 'ade_types.json'), 'utf8')));
    for (const k of [0, 1]) {
      const docs = parseDataset(JSON.parse(readFileSync(sharedPath('datasets', 'ade', `ade_split_${k}_train.json`), 'utf8')), types).documents;
      // Real ADE documents, one of them with overlapping entities in both files; the test file
      // repeats training documents so that the tiny model scores above 0 (means and stds are then not trivially 0).
      const withOverlap = docs.find(overlapping) as Document;
      const trainDocs = [...docs.slice(0, 7).filter((d) => d !== withOverlap), withOverlap];
      await writeFile(path.join(data, `ade_split_${k}_train.json`), JSON.stringify(trainDocs));
      await writeFile(path.join(data, `ade_split_${k}_test.json`), JSON.stringify([...trainDocs.slice(0, 3), withOverlap]));
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  let first: ExperimentResults;

  it('trains one model per fold, scores each twice (with and without overlapping entities) and records it all', async () => {
    const o = options();
    expect(o.train.encoder).toBeUndefined();
    expect(o.train).toMatchObject({ hiddenSize: 32, layers: 1, lr: 1e-2, epochs: 20 });
    const outcome = await runExperiment(o, { train, log: quiet });
    expect(outcome.trained).toEqual(['fold-0-seed-1', 'fold-1-seed-1']);
    expect(calls.map((c) => [path.basename(c.train as string), path.basename(c.valid as string), c.seed, c.resume, c.out])).toEqual([
      ['ade_split_0_train.json', 'ade_split_0_test.json', 1, false, path.join(out, 'runs', 'fold-0-seed-1')],
      ['ade_split_1_train.json', 'ade_split_1_test.json', 1, false, path.join(out, 'runs', 'fold-1-seed-1')],
    ]);
    const r = (await readResults(path.join(out, 'results.json'))) as ExperimentResults;
    first = r;
    expect(r).toMatchObject({ version: 1, experiment: 'ade', planned: ['fold-0-seed-1', 'fold-1-seed-1'] });
    expect(r.codeCommit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect(r.config).toMatchObject({ experiment: 'ade', final: false, train: { hiddenSize: 32, epochs: 20, lr: 1e-2, noOverlapping: false } });
    expect(r.config.train).not.toHaveProperty('seed');
    expect(r.config.train).not.toHaveProperty('out');

    // Every data file used, hashed; the hashes equal a recomputation.
    const files = ['ade_types.json', 'ade_split_0_train.json', 'ade_split_0_test.json', 'ade_split_1_train.json', 'ade_split_1_test.json'];
    expect(Object.keys(r.data).sort()).toEqual([...files].sort());
    for (const f of files) expect(r.data[f]).toEqual({ path: path.join(data, f), sha256: sha256(path.join(data, f)) });

    // Each fold's metrics are the evaluator's on its saved predictions, both ways.
    const types = await readTypes({ path: path.join(data, 'ade_types.json') });
    for (const k of [0, 1]) {
      const u = r.units[`fold-${k}-seed-1`];
      expect(u).toMatchObject({ fold: k, seed: 1, dir: path.join('runs', `fold-${k}-seed-1`), resumed: false, files: { train: `ade_split_${k}_train.json` } });
      expect(existsSync(path.join(out, u.dir, 'model', 'config.json'))).toBe(true);
      const gold = (await readDataset({ path: path.join(data, `ade_split_${k}_test.json`), types })).documents;
      const predicted = (await readDataset({ path: path.join(out, u.dir, 'eval', `predictions_ade_split_${k}_test.json`), types })).documents;
      expect(u.metrics).toEqual(metricValues(evaluate({ gold, predicted, types })));
      expect(u.metricsNoOverlapping).toEqual(metricValues(evaluate({ gold, predicted, types, noOverlapping: true })));
      expect(Object.keys(u.metrics)).toEqual(METRIC_NAMES);
      // runTraining's own report of the same evaluation agrees (it scored the in-memory predictions).
      const own = JSON.parse(await readFile(path.join(out, u.dir, 'eval', `metrics_ade_split_${k}_test.json`), 'utf8'));
      expect(u.metrics.ner_f1_macro).toBeCloseTo(own.ner.macro.f1, 10);
      expect(u.metrics.rel_nec_f1_macro).toBeCloseTo(own.rel_nec.macro.f1, 10);
    }
    // Mean and sample std over the two folds.
    const a = r.units['fold-0-seed-1'];
    const b = r.units['fold-1-seed-1'];
    expect(a.metrics.ner_f1_macro + b.metrics.ner_f1_macro).toBeGreaterThan(0);
    for (const name of METRIC_NAMES) {
      expect(r.summary.all.mean[name]).toBeCloseTo((a.metrics[name] + b.metrics[name]) / 2, 10);
      expect(r.summary.all.std[name]).toBeCloseTo(Math.abs(a.metrics[name] - b.metrics[name]) / Math.SQRT2, 10);
      const [x, y] = [a.metricsNoOverlapping?.[name] as number, b.metricsNoOverlapping?.[name] as number];
      expect(r.summary.all.meanNoOverlapping?.[name]).toBeCloseTo((x + y) / 2, 10);
      expect(r.summary.all.stdNoOverlapping?.[name]).toBeCloseTo(Math.abs(x - y) / Math.SQRT2, 10);
    }
    expect(r.summary.all).toMatchObject({ n: 2, ids: ['fold-0-seed-1', 'fold-1-seed-1'] });

    // The tables, printed and in tables.md.
    const f = (x: number) => x.toFixed(2);
    expect(outcome.tables).toContain(`| 0 | 1 | ${f(a.metrics.ner_f1_macro)} | ${f(a.metrics.rel_nec_f1_macro)} | ${f(a.metricsNoOverlapping?.ner_f1_macro as number)} | ${f(a.metricsNoOverlapping?.rel_nec_f1_macro as number)} |`);
    expect(outcome.tables).toContain(`| entities (NER), macro F1 | ${f(r.summary.all.mean.ner_f1_macro)} ± ${f(r.summary.all.std.ner_f1_macro)} | 89.28 |`);
    expect(outcome.tables).toContain('| relations (strict), macro F1, overlapping entities removed |');
    expect(await readFile(path.join(out, 'tables.md'), 'utf8')).toBe(`${outcome.tables}\n`);
  });

  it('a second invocation trains nothing and prints the same tables', async () => {
    calls.length = 0;
    const lines: string[] = [];
    const outcome = await runExperiment(options(), { train, log: (l) => lines.push(l) });
    expect(calls).toEqual([]);
    expect(outcome.trained).toEqual([]);
    expect(lines.filter((l) => /finished before .* not run again/.test(l))).toHaveLength(2);
    expect(outcome.results.units).toEqual(first.units);
    expect(outcome.tables).toBe(await readFile(path.join(out, 'tables.md'), 'utf8').then((t) => t.slice(0, -1)));
    // Asking for one fold only keeps the other in the tables and the means: the directory is one experiment.
    const one = await runExperiment(parseExperimentArgs(['ade', '--scratch', '--data', data, '--folds', '1', '--out', out, ...TINY]) as ExperimentOptions, { train, log: quiet });
    expect(calls).toEqual([]);
    expect(one.results.planned).toEqual(['fold-0-seed-1', 'fold-1-seed-1']);
    expect(one.results.summary.all).toEqual(first.summary.all);
  });

  it('reruns a fold whose model is missing, resumes an unrecorded one from its checkpoint, restarts one without a checkpoint', async () => {
    // 1. recorded, but the model directory is gone: trained again from scratch.
    await rm(path.join(out, 'runs', 'fold-0-seed-1'), { recursive: true, force: true });
    calls.length = 0;
    let outcome = await runExperiment(options(), { train, log: quiet });
    expect(outcome.trained).toEqual(['fold-0-seed-1']);
    expect(calls.map((c) => [c.seed, c.resume, path.basename(c.out)])).toEqual([[1, false, 'fold-0-seed-1']]);

    // 2. killed after its last checkpoint, before results.json recorded it: continues with --resume.
    const file = path.join(out, 'results.json');
    const r = (await readResults(file)) as ExperimentResults;
    delete r.units['fold-1-seed-1'];
    await writeFile(file, JSON.stringify(r));
    calls.length = 0;
    outcome = await runExperiment(options(), { train, log: quiet });
    expect(outcome.trained).toEqual(['fold-1-seed-1']);
    expect(calls.map((c) => [c.resume, path.basename(c.out)])).toEqual([[true, 'fold-1-seed-1']]);
    expect(outcome.results.units['fold-1-seed-1'].resumed).toBe(true);

    // 3. killed in its first epoch (no checkpoint, no model): the half-written directory is cleared and it starts afresh.
    delete outcome.results.units['fold-1-seed-1'];
    await writeFile(file, JSON.stringify(outcome.results));
    const runDir = path.join(out, 'runs', 'fold-1-seed-1');
    await rm(path.join(runDir, 'checkpoints'), { recursive: true, force: true });
    await rm(path.join(runDir, 'model'), { recursive: true, force: true });
    await writeFile(path.join(runDir, 'half-written.txt'), 'left by a killed run');
    calls.length = 0;
    outcome = await runExperiment(options(), { train, log: quiet });
    expect(calls.map((c) => [c.resume, path.basename(c.out)])).toEqual([[false, 'fold-1-seed-1']]);
    expect(existsSync(path.join(runDir, 'half-written.txt'))).toBe(false);
    expect(outcome.results.units['fold-1-seed-1']).toMatchObject({ resumed: false, fold: 1 });
    expect(Object.keys(outcome.results.units).sort()).toEqual(['fold-0-seed-1', 'fold-1-seed-1']);
  });

  it('refuses to resume with another configuration or other data, naming what differs, before training', async () => {
    calls.length = 0;
    await expect(runExperiment(options('--neg-entity-count', '30'), { train, log: quiet })).rejects.toThrow(
      `${path.join(out, 'results.json')} was made with a different configuration: train.negEntityCount is 20 there and 30 now; use another --out, or run with the settings recorded there`,
    );
    const withEncoder = parseExperimentArgs(['ade', '--encoder', 'some/bert', '--data', data, '--folds', '0,1', '--out', out, ...TINY]) as ExperimentOptions;
    await expect(runExperiment(withEncoder, { train, log: quiet })).rejects.toThrow(/train\.encoder is unset there and "some\/bert" now/);
    // Another fold selection is fine (each fold is its own record) but changed data is not.
    const testFile = path.join(data, 'ade_split_1_test.json');
    const original = await readFile(testFile, 'utf8');
    await writeFile(testFile, JSON.stringify(JSON.parse(original).slice(0, 2)));
    try {
      await expect(runExperiment(options(), { train, log: quiet })).rejects.toThrow(/was made with different data: ade_split_1_test\.json had sha256 [0-9a-f]{64}/);
    } finally {
      await writeFile(testFile, original);
    }
    expect(calls).toEqual([]);
  });
});
