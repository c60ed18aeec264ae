import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../../tools/testing/shared';
import type { TrainConfig } from '../options';
import { runTraining } from '../run-training';
import { EXPERIMENT_HELP, parseExperimentArgs, type ExperimentOptions } from './args';
import { ABLATION_VARIANTS, type AblationVariant } from './definitions';
import { sha256File, type ExperimentResults } from './results';
import { runExperiment, type TrainFn } from './runner';
import { formatTables } from './tables';

const TINY = ['--epochs', '2', '--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32', '--lr', '1e-2', '--backend', 'wasm', '--no-progress'];
const parse = (...argv: string[]) => parseExperimentArgs(argv) as ExperimentOptions;
const quiet = () => undefined;

describe('parseExperimentArgs', () => {
  it('uses the paper encoder and the reference settings by default; seeds from --runs or --seeds', () => {
    const c = parse('conll04');
    expect(c).toMatchObject({ name: 'conll04', seeds: [1], final: false, out: path.join('runs', 'experiment-conll04'), folds: [], variants: [] });
    expect(c.train).toMatchObject({ encoder: 'bert-base-cased', dataset: 'conll04', epochs: 20, lr: 5e-5, batchSize: 2, negEntityCount: 100, negRelationCount: 100, maxSpanSize: 10, relFilterThreshold: 0.4 });
    expect(parse('scierc').train.encoder).toBe('allenai/scibert_scivocab_cased');
    expect(parse('ade').folds).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(parse('ade', '--folds', '0,3').folds).toEqual([0, 3]);
    expect(parse('conll04', '--runs', '3').seeds).toEqual([1, 2, 3]);
    expect(parse('conll04', '--seeds', '4,7', '--final', '--out=x').seeds).toEqual([4, 7]);
    expect(parse('conll04', '--final', '--out=x')).toMatchObject({ final: true, out: 'x' });
    expect(parse('ablations').variants.map((v) => v.name)).toEqual(ABLATION_VARIANTS.map((v) => v.name));
    expect(parse('ablations', '--variants', 'negatives-20,default').variants.map((v) => v.name)).toEqual(['negatives-20', 'default']);
    expect(parse('beyond').variants.map((v) => v.name)).toEqual(['reference', 'entity-types', 'type-constraints', 'tuned-thresholds', 'constraints-thresholds', 'all']);
    expect(() => parse('beyond', '--final')).toThrow(/--final does not apply to beyond: tuned thresholds are chosen on CoNLL04 dev/);
  });

  it('beyond --dataset: SciERC with every variant, ADE fold 0 without the tuned-threshold ones; other experiments keep refusing --dataset', () => {
    expect(parse('beyond', '--dataset', 'conll04')).toMatchObject({ out: path.join('runs', 'experiment-beyond'), train: { dataset: 'conll04' } });
    const scierc = parse('beyond', '--dataset', 'scierc');
    expect(scierc).toMatchObject({ out: path.join('runs', 'experiment-beyond-scierc'), train: { dataset: 'scierc' } });
    expect(scierc.variants.map((v) => v.name)).toEqual(['reference', 'entity-types', 'type-constraints', 'tuned-thresholds', 'constraints-thresholds', 'all']);
    const ade = parse('beyond', '--dataset=ade', '--variants', 'reference,type-constraints');
    expect(ade).toMatchObject({ out: path.join('runs', 'experiment-beyond-ade'), train: { dataset: 'ade' }, folds: [] });
    expect(parse('beyond', '--dataset', 'ade').variants.map((v) => v.name)).toEqual(['reference', 'entity-types', 'type-constraints']);
    expect(() => parse('beyond', '--dataset', 'ade', '--variants', 'reference,tuned-thresholds')).toThrow(
      '--variants: unknown variant "tuned-thresholds" (known: reference, entity-types, type-constraints; ade has no dev split to tune thresholds on)',
    );
    expect(() => parse('beyond', '--dataset', 'scierc', '--final')).toThrow(/--final does not apply to beyond: tuned thresholds are chosen on SciERC dev/);
    expect(() => parse('beyond', '--dataset', 'genia')).toThrow('--dataset: unknown dataset "genia" (beyond runs on conll04, scierc, ade)');
    expect(() => parse('conll04', '--dataset', 'scierc')).toThrow('--dataset is not an experiment option: the experiment names its dataset (only beyond takes --dataset)');
  });

  it('--scratch: the scratch preset, which spert-train flags and a config file override (defaults < preset < file < flags)', async () => {
    // The measured best from scratch (docs/results.md, Beyond SpERT): DeBERTa-v3 shape and type constraints.
    expect(parse('conll04', '--scratch').train).toMatchObject({ family: 'deberta-v2', relationTypeConstraints: 'train', hiddenSize: 256, layers: 4, heads: 4, intermediateSize: 1024, lr: 5e-4, epochs: 20 });
    expect(parse('conll04', '--scratch').train.encoder).toBeUndefined();
    // beyond's variants are the switches: its reference row keeps reference SpERT on the same encoder.
    expect(parse('beyond', '--scratch').train).toMatchObject({ family: 'deberta-v2', relationTypeConstraints: 'off', relationEntityTypes: 'none', tuneThresholds: false, hiddenSize: 256 });
    // Reference SpERT one flag away: BERT shape, no constraints (what --scratch meant before).
    const reference = parse('conll04', '--scratch-reference').train;
    expect(reference).toMatchObject({ relationTypeConstraints: 'off', hiddenSize: 256, layers: 4, heads: 4, intermediateSize: 1024, lr: 5e-4 });
    expect([reference.family, reference.encoder]).toEqual([undefined, undefined]);
    expect(parse('conll04', '--scratch', '--family', 'bert', '--relation-type-constraints', 'off').train).toMatchObject({ family: 'bert', relationTypeConstraints: 'off' });
    expect(() => parse('conll04', '--scratch', '--scratch-reference')).toThrow('--scratch and --scratch-reference exclude each other: the measured best or reference SpERT');
    expect(() => parse('conll04', '--scratch-reference', '--encoder', 'x')).toThrow(/^--scratch-reference and --encoder exclude each other/);
    expect(parse('conll04', '--scratch', '--hidden-size', '64', '--lr', '1e-3', '--epochs', '3', '--neg-entity-count', '20').train).toMatchObject({ hiddenSize: 64, layers: 4, lr: 1e-3, epochs: 3, negEntityCount: 20 });
    expect(parse('conll04', '--encoder', 'dir/my-bert').train.encoder).toBe('dir/my-bert');
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-exp-args-'));
    try {
      const file = path.join(dir, 'c.json');
      await writeFile(file, JSON.stringify({ lr: 2e-4, epochs: 7 }));
      expect(parse('conll04', '--scratch', '--config', file, '--epochs', '3').train).toMatchObject({ lr: 2e-4, epochs: 3, hiddenSize: 256 });
      await writeFile(file, JSON.stringify({ seed: 3 }));
      expect(() => parse('conll04', '--config', file)).toThrow(`${file}: "seed" is set per run by spert-experiment (use --seeds or --runs)`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses what does not fit, saying why', () => {
    expect(() => parse()).toThrow('name the experiment first: spert-experiment <conll04|scierc|ade|ablations|beyond> [options] (see spert-experiment --help)');
    expect(() => parse('--scratch')).toThrow(/^name the experiment first/);
    expect(() => parse('conl04')).toThrow('unknown experiment "conl04": the experiments are conll04, scierc, ade, ablations, beyond (see spert-experiment --help)');
    expect(() => parse('conll04', '--seed', '3')).toThrow('--seed is not an experiment option: use --seeds or --runs');
    expect(() => parse('conll04', '--train', 'x.json')).toThrow(/--train is not an experiment option: the experiment picks the data files \(use --data/);
    expect(() => parse('ade', '--no-overlapping')).toThrow(/--no-overlapping is not an experiment option: ade evaluates both ways/);
    expect(() => parse('ade', '--final')).toThrow('--final does not apply to ade: its folds have no dev split (train -> test per fold)');
    expect(() => parse('ablations', '--final')).toThrow(/--final does not apply to ablations/);
    expect(() => parse('conll04', '--scratch', '--encoder', 'bert-base-cased')).toThrow(/--scratch and --encoder exclude each other/);
    expect(() => parse('conll04', '--runs', '2', '--seeds', '1,2')).toThrow(/--runs and --seeds exclude each other/);
    expect(() => parse('conll04', '--folds', '1')).toThrow('--folds applies to ade only (this is conll04)');
    expect(() => parse('ade', '--folds', '0,10')).toThrow('--folds: "10" is not an integer from 0 to 9 (got "0,10")');
    expect(() => parse('ade', '--folds', '1,1')).toThrow('--folds: 1 is listed twice (got "1,1")');
    expect(() => parse('conll04', '--runs', '0')).toThrow(/--runs: "0" is not an integer from 1/);
    expect(() => parse('conll04', '--out')).toThrow('--out needs a value (see spert-experiment --help)');
    expect(() => parse('ablations', '--variants', 'default,bogus')).toThrow(/--variants: unknown variant "bogus" \(known: default, weak-negatives, /);
    expect(() => parse('conll04', '--epochs', '0')).toThrow(/^the conll04 settings \(preset and flags\): invalid training configuration:\n {2}- epochs: /);
    expect(() => parse('conll04', '--bogus')).toThrow(expect.objectContaining({ code: 'commander.unknownOption', message: "error: unknown option '--bogus'" }));
    expect(parseExperimentArgs(['ade', '--help'])).toEqual({ help: EXPERIMENT_HELP });
  });
});

describe('runExperiment on tiny CoNLL04, SciERC and ADE folders', () => {
  let dir: string;
  const calls: TrainConfig[] = [];
  const train: TrainFn = (config, log) => {
    calls.push(config);
    return runTraining(config, log);
  };
  // Real documents of a dataset, a few per file (the evaluation file repeats training documents).
  async function tinyDataset(name: 'conll04' | 'scierc' | 'ade', files: Record<string, [string, number]>): Promise<string> {
    const data = path.join(dir, `${name}-data`);
    await mkdir(data, { recursive: true });
    await copyFile(sharedPath('datasets', name, `${name}_types.json`), path.join(data, `${name}_types.json`));
    for (const [file, [from, n]] of Object.entries(files)) {
      const docs = JSON.parse(readFileSync(sharedPath('datasets', name, from), 'utf8')) as unknown[];
      await writeFile(path.join(data, file), JSON.stringify(docs.slice(0, n)));
    }
    return data;
  }
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-exp-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(() => {
    calls.length = 0;
  });

  it('beyond: every switch alone and together on the same recipe, train -> test, the switches reaching each training', async () => {
    const data = await tinyDataset('conll04', { 'conll04_train.json': ['conll04_train.json', 6], 'conll04_dev.json': ['conll04_train.json', 3], 'conll04_test.json': ['conll04_train.json', 3] });
    const o = parseExperimentArgs(['beyond', '--scratch', '--data', data, '--out', path.join(dir, 'beyond'), '--variants', 'reference,all', ...TINY]) as ExperimentOptions;
    const outcome = await runExperiment(o, { train, log: quiet });
    expect(outcome.trained).toEqual(['reference-seed-1', 'all-seed-1']);
    expect(calls.map((c) => [path.basename(c.train as string), path.basename(c.valid as string), c.relationEntityTypes, c.relationTypeConstraints, c.tuneThresholds, c.tuneSet, c.hiddenSize])).toEqual([
      ['conll04_train.json', 'conll04_test.json', 'none', 'off', false, undefined, 16],
      ['conll04_train.json', 'conll04_test.json', 'embedding', 'train', true, path.join(data, 'conll04_dev.json'), 16],
    ]);
    expect(Object.keys(outcome.results.summary)).toEqual(['reference', 'all']);
    const r = outcome.results;
    const cell = (v: string, k: string) => r.summary[v].mean[k].toFixed(2);
    const delta = r.summary.all.mean.rel_nec_f1_micro - r.summary.reference.mean.rel_nec_f1_micro;
    expect(outcome.tables).toContain('| variant | changes | NER micro F1 | NER macro F1 | rel (strict) micro P | R | F1 | rel macro F1 | F1 vs reference | where the idea comes from |');
    expect(outcome.tables).toContain(
      `| all | relationEntityTypes="embedding", relationTypeConstraints="train", tuneThresholds=true | ${cell('all', 'ner_f1_micro')} | ${cell('all', 'ner_f1_macro')} | ${cell('all', 'rel_nec_prec_micro')} | ${cell('all', 'rel_nec_rec_micro')} | ${cell('all', 'rel_nec_f1_micro')} | ${cell('all', 'rel_nec_f1_macro')} | ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} | the three switches together |`,
    );
  });

  it('beyond --dataset scierc: train -> test, thresholds tuned on SciERC dev, relations also by boundaries', async () => {
    const data = await tinyDataset('scierc', { 'scierc_train.json': ['scierc_train.json', 6], 'scierc_dev.json': ['scierc_dev.json', 3], 'scierc_test.json': ['scierc_train.json', 3] });
    const o = parseExperimentArgs(['beyond', '--dataset', 'scierc', '--scratch', '--data', data, '--out', path.join(dir, 'beyond-scierc'), '--variants', 'reference,tuned-thresholds', ...TINY]) as ExperimentOptions;
    const outcome = await runExperiment(o, { train, log: quiet });
    expect(calls.map((c) => [path.basename(c.train as string), path.basename(c.valid as string), path.basename(c.types as string), c.tuneSet])).toEqual([
      ['scierc_train.json', 'scierc_test.json', 'scierc_types.json', undefined],
      ['scierc_train.json', 'scierc_test.json', 'scierc_types.json', path.join(data, 'scierc_dev.json')],
    ]);
    const s = outcome.results.summary.reference;
    expect(outcome.tables).toContain('| variant | changes | NER micro F1 | NER macro F1 | rel (strict) micro P | R | F1 | rel macro F1 | rel (boundaries) micro F1 | macro F1 | F1 vs reference | where the idea comes from |');
    expect(outcome.tables).toContain(`| ${s.mean.rel_nec_f1_macro.toFixed(2)} | ${s.mean.rel_f1_micro.toFixed(2)} | ${s.mean.rel_f1_macro.toFixed(2)} | - | SpERT as published`);
    expect(outcome.tables).toContain('SciERC train -> test');
    // The table is rebuilt from results.json alone: the dataset recorded there picks the SciERC layout.
    expect(formatTables(outcome.results)).toBe(outcome.tables);
  });

  it('beyond --dataset ade: fold 0 train -> test', async () => {
    const data = await tinyDataset('ade', { 'ade_split_0_train.json': ['ade_split_0_train.json', 6], 'ade_split_0_test.json': ['ade_split_0_train.json', 3] });
    const o = parseExperimentArgs(['beyond', '--dataset', 'ade', '--scratch', '--data', data, '--out', path.join(dir, 'beyond-ade'), '--variants', 'type-constraints', ...TINY]) as ExperimentOptions;
    const outcome = await runExperiment(o, { train, log: quiet });
    expect(outcome.trained).toEqual(['type-constraints-seed-1']);
    expect(calls.map((c) => [path.basename(c.train as string), path.basename(c.valid as string), c.relationTypeConstraints])).toEqual([['ade_split_0_train.json', 'ade_split_0_test.json', 'train']]);
    expect(outcome.tables).toContain('ADE fold 0 train -> test');
    expect(outcome.tables).not.toContain('rel (boundaries)');
  });

  it('ablations: one training per variant over the same fixed configuration, train -> dev, a row per variant', async () => {
    const data = await tinyDataset('conll04', { 'conll04_train.json': ['conll04_train.json', 6], 'conll04_dev.json': ['conll04_train.json', 3] });
    const variants: AblationVariant[] = [
      { name: 'default', changes: {}, paper: 'reference point' },
      { name: 'few-negatives', changes: { negEntityCount: 5, negRelationCount: 2 }, paper: 'about level' },
    ];
    const out = path.join(dir, 'ablations');
    const o = parseExperimentArgs(['ablations', '--scratch', '--data', data, '--out', out, '--neg-entity-count', '20', ...TINY], { variants }) as ExperimentOptions;
    const outcome = await runExperiment(o, { train, log: quiet });
    expect(outcome.trained).toEqual(['default-seed-1', 'few-negatives-seed-1']);
    expect(calls.map((c) => [path.basename(c.train as string), path.basename(c.valid as string), c.negEntityCount, c.negRelationCount, c.hiddenSize, c.epochs])).toEqual([
      ['conll04_train.json', 'conll04_dev.json', 20, 100, 16, 2],
      ['conll04_train.json', 'conll04_dev.json', 5, 2, 16, 2],
    ]);
    const r = outcome.results;
    expect(Object.keys(r.summary)).toEqual(['default', 'few-negatives']);
    expect(r.units['few-negatives-seed-1']).toMatchObject({ variant: 'few-negatives', config: { negEntityCount: 5 } });
    const s = (v: string, k: string) => r.summary[v].mean[k].toFixed(2);
    const delta = r.summary['few-negatives'].mean.rel_nec_f1_micro - r.summary.default.mean.rel_nec_f1_micro;
    expect(outcome.tables).toContain(`| default | - | ${s('default', 'ner_f1_micro')} | ${s('default', 'rel_nec_prec_micro')} | ${s('default', 'rel_nec_rec_micro')} | ${s('default', 'rel_nec_f1_micro')} | - | reference point |`);
    expect(outcome.tables).toContain(
      `| few-negatives | negEntityCount=5, negRelationCount=2 | ${s('few-negatives', 'ner_f1_micro')} | ${s('few-negatives', 'rel_nec_prec_micro')} | ${s('few-negatives', 'rel_nec_rec_micro')} | ${s('few-negatives', 'rel_nec_f1_micro')} | ${delta >= 0 ? '+' : ''}${delta.toFixed(2)} | about level |`,
    );

    // Adding a variant later extends the same table; a known name with other changes is refused.
    calls.length = 0;
    const more: AblationVariant = { name: 'no-relation-negatives', changes: { negRelationCount: 0 }, paper: 'not in the paper' };
    const again = await runExperiment(parseExperimentArgs(['ablations', '--scratch', '--data', data, '--out', out, '--neg-entity-count', '20', '--variants', 'no-relation-negatives', ...TINY], { variants: [...variants, more] }) as ExperimentOptions, { train, log: quiet });
    expect(calls.map((c) => c.negRelationCount)).toEqual([0]);
    expect(Object.keys(again.results.summary)).toEqual(['default', 'few-negatives', 'no-relation-negatives']);
    expect(again.tables).toContain('| no-relation-negatives | negRelationCount=0 |');
    const changed = parseExperimentArgs(['ablations', '--scratch', '--data', data, '--out', out, '--neg-entity-count', '20', '--variants', 'few-negatives', ...TINY], { variants: [{ ...variants[1], changes: { negEntityCount: 6 } }] }) as ExperimentOptions;
    await expect(runExperiment(changed, { train, log: quiet })).rejects.toThrow(`${path.join(out, 'results.json')} was made with variant "few-negatives" changing {"negEntityCount":5,"negRelationCount":2}, now {"negEntityCount":6}; use another --out`);

    // A variant over a setting spert-train does not know is refused, naming it, before anything trains.
    calls.length = 0;
    const bad = parseExperimentArgs(['ablations', '--scratch', '--data', data, '--out', path.join(dir, 'bad'), ...TINY], { variants: [variants[0], { name: 'colour', changes: { colour: 'red' }, paper: '' }] }) as ExperimentOptions;
    await expect(runExperiment(bad, { train, log: quiet })).rejects.toThrow(/^ablation variant "colour" \({"colour":"red"}\): invalid training configuration:\n {2}- \(root\): Unrecognized key: "colour"/);
    expect(calls).toEqual([]);
  });

  it('conll04 --final trains on conll04_train_dev.json and evaluates on test', async () => {
    const data = await tinyDataset('conll04', { 'conll04_train_dev.json': ['conll04_train_dev.json', 6], 'conll04_train.json': ['conll04_train.json', 4], 'conll04_test.json': ['conll04_train_dev.json', 3] });
    const out = path.join(dir, 'conll04-final');
    const outcome = await runExperiment(parse('conll04', '--final', '--scratch', '--data', data, '--out', out, '--seeds', '5', ...TINY), { train, log: quiet });
    expect(calls.map((c) => [path.basename(c.train as string), path.basename(c.valid as string), c.seed])).toEqual([['conll04_train_dev.json', 'conll04_test.json', 5]]);
    expect(Object.keys(outcome.results.data).sort()).toEqual(['conll04_test.json', 'conll04_train_dev.json', 'conll04_types.json']);
    expect(outcome.tables).toContain('| entities (NER), micro F1 |');
    expect(outcome.tables).toContain('| 88.94 |');
    expect(outcome.tables).toMatch(/trained on train\+dev/);
  });

  it('scierc --final writes train+dev into the experiment directory, hashes it and trains on it', async () => {
    const data = await tinyDataset('scierc', { 'scierc_train.json': ['scierc_train.json', 4], 'scierc_dev.json': ['scierc_dev.json', 2], 'scierc_test.json': ['scierc_train.json', 3] });
    const out = path.join(dir, 'scierc-final');
    const outcome = await runExperiment(parse('scierc', '--final', '--scratch', '--data', data, '--out', out, ...TINY), { train, log: quiet });
    const merged = path.join(out, 'data', 'scierc_train_dev.json');
    const read = async (f: string) => JSON.parse(await readFile(f, 'utf8')) as unknown[];
    expect(await read(merged)).toEqual([...(await read(path.join(data, 'scierc_train.json'))), ...(await read(path.join(data, 'scierc_dev.json')))]);
    expect(calls.map((c) => c.train)).toEqual([merged]);
    expect(outcome.results.data['scierc_train_dev.json']).toEqual({ path: merged, sha256: await sha256File(merged) });
    expect(outcome.tables).toContain('| relations (boundaries, no entity types), micro F1 |');
    expect(outcome.tables).toMatch(/\| relations \(strict, with entity types\), micro F1 \| [\d.]+ \| not reported \|/);
    // The table says which from-scratch configuration it measured.
    expect(outcome.tables).toContain('random deberta-v2 encoder (from scratch): hidden 16, 1 layers, 2 heads, feed-forward 32; 2 epochs, lr 0.01, batch 2, negatives 100/100; relation type constraints; trained on train+dev');
    // Resuming the finished experiment rewrites the same merged file: nothing differs, nothing trains.
    calls.length = 0;
    await runExperiment(parse('scierc', '--final', '--scratch', '--data', data, '--out', out, ...TINY), { train, log: quiet });
    expect(calls).toEqual([]);
  });
});

describe('formatTables', () => {
  it('prints ours (mean ± std) beside the paper, then one row per run', () => {
    const metrics = (f1: number) => Object.fromEntries(['ner', 'rel', 'rel_nec'].flatMap((s) => ['micro', 'macro'].flatMap((a) => ['prec', 'rec', 'f1'].map((m) => [`${s}_${m}_${a}`, f1 + (m === 'f1' ? 0 : 1) + (a === 'macro' ? 0.5 : 0)]))));
    const unit = (seed: number, f1: number) => ({ id: `seed-${seed}`, seed, dir: `runs/seed-${seed}`, config: {} as TrainConfig, files: { train: 't', valid: 'v', types: 'x' }, metrics: metrics(f1), seconds: 61.4, resumed: false, finishedAt: '', codeCommit: 'unknown' });
    const results: ExperimentResults = {
      version: 1,
      experiment: 'conll04',
      config: { experiment: 'conll04', final: true, train: { encoder: 'bert-base-cased', epochs: 20, lr: 5e-5, batchSize: 2, negEntityCount: 100, negRelationCount: 100 } },
      planned: ['seed-1', 'seed-2', 'seed-3'],
      codeCommit: 'unknown',
      codeDirty: null,
      data: {},
      units: { 'seed-1': unit(1, 70), 'seed-2': unit(2, 72) },
      summary: {
        all: { n: 2, ids: ['seed-1', 'seed-2'], mean: metrics(71), std: metrics(Math.SQRT2) },
      },
      timings: { createdAt: '', updatedAt: '', trainingSeconds: 0 },
    };
    const std = (Math.SQRT2 + 0.5).toFixed(2);
    expect(formatTables(results).split('\n')).toEqual([
      '## spert-experiment conll04: 2 of 3 runs finished',
      '',
      'encoder bert-base-cased; 20 epochs, lr 0.00005, batch 2, negatives 100/100; reference SpERT relations; trained on train+dev',
      '',
      '| | ours (mean ± std over 2 runs) | paper |',
      '|---|---:|---:|',
      `| entities (NER), micro F1 | 71.00 ± ${Math.SQRT2.toFixed(2)} | 88.94 |`,
      `| entities (NER), macro F1 | 71.50 ± ${std} | 86.25 |`,
      `| relations (strict, with entity types), micro F1 | 71.00 ± ${Math.SQRT2.toFixed(2)} | 71.47 |`,
      `| relations (strict, with entity types), macro F1 | 71.50 ± ${std} | 72.87 |`,
      '',
      'paper: CoNLL04 test, BERT-base cased, trained on train+dev, mean of 5 runs (SPERT_REFERENCE.md 3.3)',
      '',
      '| seed | NER micro | NER macro | rel (strict) micro | rel (strict) macro | seconds |',
      '|---:|---:|---:|---:|---:|---:|',
      '| 1 | 70.00 | 70.50 | 70.00 | 70.50 | 61 |',
      '| 2 | 72.00 | 72.50 | 72.00 | 72.50 | 61 |',
      `| mean ± std | 71.00 ± ${Math.SQRT2.toFixed(2)} | 71.50 ± ${std} | 71.00 ± ${Math.SQRT2.toFixed(2)} | 71.50 ± ${std} | |`,
    ]);
  });
});
