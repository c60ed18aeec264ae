import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDataset, readTypes, writeDataset } from '@spert/core';
import { SpertModel } from '@spert/model';
import { sharedPath } from '../../../tools/testing/shared';
import { parseTrainArgs } from './cli';
import { runTraining } from './run-training';

describe('parseTrainArgs', () => {
  it('uses the reference defaults and lets flags override them', () => {
    const c = parseTrainArgs([]);
    expect(c).toMatchObject({ epochs: 20, batchSize: 2, lr: 5e-5, lrWarmup: 0.1, weightDecay: 0.01, maxGradNorm: 1, negEntityCount: 100, relFilterThreshold: 0.4 });
    expect(parseTrainArgs(['--epochs', '3', '--lr', '1e-4', '--freeze-encoder', '--no-overlapping'])).toMatchObject({ epochs: 3, lr: 1e-4, freezeEncoder: true, noOverlapping: true });
  });
  it('applies the quickstart preset, then the config file, then flags', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-cli-'));
    try {
      await writeFile(path.join(dir, 'c.json'), JSON.stringify({ epochs: 7, hiddenSize: 64 }));
      const c = parseTrainArgs(['quickstart', '--config', path.join(dir, 'c.json'), '--hidden-size', '32']);
      expect(c).toMatchObject({ epochs: 7, hiddenSize: 32, layers: 2, out: 'runs/quickstart' });
      await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ epochs: -1, colour: 'red' }));
      expect(() => parseTrainArgs(['--config', path.join(dir, 'bad.json')])).toThrow(/bad\.json: invalid training configuration[\s\S]*epochs[\s\S]*colour/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('names an unknown dataset with the known names and the folders searched, unless all three files are given', () => {
    expect(() => parseTrainArgs(['--dataset', 'nosuch'])).toThrow(/^unknown dataset "nosuch": the known names are conll04, scierc, ade \(looked for in .*datasets\/<name>.*\); for other data pass --train, --valid and --types$/);
    expect(parseTrainArgs(['--dataset', 'mine', '--train', 't.json', '--valid', 'v.json', '--types', 'x_types.json']).dataset).toBe('mine');
  });
  it('takes --family for a random encoder, refuses it with --encoder and names the valid families', () => {
    expect(parseTrainArgs([]).family).toBeUndefined(); // bert, decided by createScratchModel
    expect(parseTrainArgs(['--family', 'roberta'])).toMatchObject({ family: 'roberta' });
    expect(parseTrainArgs(['--family', 'deberta-v2'])).toMatchObject({ family: 'deberta-v2' });
    expect(() => parseTrainArgs(['--family', 'roberta', '--encoder', 'x'])).toThrow(/has its own family/);
    expect(() => parseTrainArgs(['--family', 'gpt'])).toThrow(/family.*bert.*roberta.*deberta-v2/s);
  });
  it('takes --checkpoint-every and --allow-non-finite (off by default)', () => {
    expect(parseTrainArgs([])).toMatchObject({ allowNonFinite: false });
    expect(parseTrainArgs([]).checkpointEvery).toBeUndefined();
    expect(parseTrainArgs(['--checkpoint-every', '50', '--allow-non-finite'])).toMatchObject({ checkpointEvery: 50, allowNonFinite: true });
    expect(() => parseTrainArgs(['--checkpoint-every', '0'])).toThrow(/checkpointEvery/);
  });
  it('takes --lenient and --verbose (off by default)', () => {
    expect(parseTrainArgs([])).toMatchObject({ lenient: false, verbose: false });
    expect(parseTrainArgs(['quickstart', '--lenient', '--verbose'])).toMatchObject({ lenient: true, verbose: true, out: 'runs/quickstart' });
    // The quickstart is what docs/results.md measured best at its size; the reference is one flag pair away.
    expect(parseTrainArgs(['quickstart'])).toMatchObject({ family: 'deberta-v2', relationTypeConstraints: 'train' });
    expect(parseTrainArgs(['quickstart', '--family', 'bert', '--relation-type-constraints', 'off'])).toMatchObject({ family: 'bert', relationTypeConstraints: 'off' });
  });
  it('throws commander errors without printing them (the entry point prints one line), and no doubled prefix on bad configs', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => parseTrainArgs(['--bogus-flag'])).toThrow(expect.objectContaining({ code: 'commander.unknownOption', message: "error: unknown option '--bogus-flag'" }));
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
    expect(() => parseTrainArgs(['--epochs', '0'])).toThrow(/^invalid training configuration:\n {2}- epochs: /);
  });
  it('names a config file that is not JSON', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-cli-'));
    try {
      await writeFile(path.join(dir, 'c.json'), '{"epochs": 3,}');
      expect(() => parseTrainArgs(['--config', path.join(dir, 'c.json')])).toThrow(`${path.join(dir, 'c.json')} (training config) is not valid JSON`);
      expect(() => parseTrainArgs(['--config', path.join(dir, 'none.json')])).toThrow(`${path.join(dir, 'none.json')}: cannot read the config file: no such file`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('rejects bad values with the flag named', () => {
    expect(() => parseTrainArgs(['--epochs', 'many'])).toThrow(/integer/);
    expect(() => parseTrainArgs(['--backend', 'gpu'])).toThrow(/backend/);
    expect(() => parseTrainArgs(['train-more'])).toThrow(/unknown command/);
  });
});

describe('runTraining', () => {
  it('trains a tiny scratch model on CoNLL04, saves it, evaluates and writes the reports', async () => {
    const conll = (f: string) => sharedPath('datasets', 'conll04', f);
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-run-'));
    try {
      const types = await readTypes({ path: conll('conll04_types.json') });
      const test = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 10);
      await writeDataset({ path: path.join(dir, 'valid.json'), documents: test });
      const config = parseTrainArgs([
        '--train', conll('conll04_train.json'), '--valid', path.join(dir, 'valid.json'), '--types', conll('conll04_types.json'),
        '--limit-train', '16', '--epochs', '1', '--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32',
        '--lr', '1e-3', '--backend', 'wasm', '--out', path.join(dir, 'run'), '--no-progress',
      ]);
      const lines: string[] = [];
      const run = await runTraining(config, (s) => lines.push(s));
      expect(run.tables).toContain('--- Entities (named entity recognition (NER)) ---');
      expect(lines.join('\n')).toMatch(/16 documents/);
      expect((await readdir(run.evalDir)).sort()).toEqual(['eval_valid.csv', 'eval_valid.txt', 'examples_valid.html', 'metrics_valid.json', 'predictions_valid.json']);
      const predictions = JSON.parse(await readFile(path.join(run.evalDir, 'predictions_valid.json'), 'utf8'));
      expect(predictions).toHaveLength(10);
      // The final evaluation ran once and its scores also reached the training log.
      const evalLog = (await readFile(path.join(dir, 'run', 'log', 'eval.csv'), 'utf8')).trim().split('\n');
      expect(evalLog).toHaveLength(2);
      expect(evalLog[0]).toContain('ner_f1_micro');
      const model = await SpertModel.load({ dir: run.modelDir });
      expect(model.settings.types).toEqual(types);
      model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a validation document too long for the encoder stops the run before training, naming file and index', async () => {
    const conll = (f: string) => sharedPath('datasets', 'conll04', f);
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-run-'));
    try {
      const long = { tokens: Array.from({ length: 600 }, (_, i) => `w${i}`), entities: [], relations: [] };
      await writeFile(path.join(dir, 'valid.json'), JSON.stringify([{ tokens: ['a'], entities: [], relations: [] }, long]));
      const config = parseTrainArgs([
        '--train', conll('conll04_train.json'), '--valid', path.join(dir, 'valid.json'), '--types', conll('conll04_types.json'),
        '--limit-train', '4', '--epochs', '1', '--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32',
        '--backend', 'wasm', '--out', path.join(dir, 'run'), '--no-progress',
      ]);
      await expect(runTraining(config, () => undefined)).rejects.toThrow(/valid\.json: document 1 is too long for the encoder: 600 words/);
      await expect(readdir(path.join(dir, 'run'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
