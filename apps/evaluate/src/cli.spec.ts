import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDataset, readTypes, writeDataset, type Document } from '@spert/core';
import { evaluate, formatEvaluation } from '@spert/evaluator';
import { sharedPath } from '../../../tools/testing/shared';
import { runEvalCli } from './cli';
import type { PredictionOutput } from './commands';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const fixture = () => sharedPath('fixtures', 'spert-scratch-conll04');

describe('spert-eval', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-eval-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('eval: scores the reference model on CoNLL04 test documents as the reference predictions score', async () => {
    const types = await readTypes({ path: conll('conll04_types.json') });
    const gold = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 12);
    await writeDataset({ path: path.join(dir, 'gold.json'), documents: gold });
    const out = await runEvalCli(['eval', '--model', fixture(), '--types', conll('conll04_types.json'), '--dataset', path.join(dir, 'gold.json'), '--out', path.join(dir, 'eval'), '--backend', 'wasm'], () => undefined);
    const reference = (JSON.parse(await readFile(path.join(fixture(), 'predictions_test.json'), 'utf8')) as Document[]).slice(0, 12);
    expect(out.trim()).toBe(formatEvaluation(evaluate({ gold, predicted: reference, types })).trim());
    expect((await readdir(path.join(dir, 'eval'))).sort()).toEqual(['eval_gold.csv', 'eval_gold.txt', 'examples_gold.html', 'metrics_gold.json', 'predictions_gold.json']);
  });

  it('predict: takes {tokens}, word arrays and raw text; raw text gets character offsets', async () => {
    const input = [{ tokens: ['John', 'Smith', 'works', 'for', 'IBM', '.'] }, ['Paris', 'is', 'in', 'France', '.'], 'Mary Jones lives in Boston.'];
    await writeFile(path.join(dir, 'in.json'), JSON.stringify(input));
    await runEvalCli(['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'in.json'), '--output', path.join(dir, 'out.json'), '--backend', 'wasm'], () => undefined);
    const out = JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8')) as PredictionOutput[];
    expect(out.map((d) => d.tokens)).toEqual([input[0] && (input[0] as { tokens: string[] }).tokens, input[1], ['Mary', 'Jones', 'lives', 'in', 'Boston', '.']]);
    expect(out[2].offsets).toEqual([[0, 4], [5, 10], [11, 16], [17, 19], [20, 26], [26, 27]]);
    for (const d of out) for (const e of d.entities) expect(e.score).toBeGreaterThan(0);
  });

  it('fails clearly on a bad input and on a model directory without types', async () => {
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify([{ words: [] }]));
    await expect(runEvalCli(['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'bad.json'), '--output', path.join(dir, 'x.json')], () => undefined)).rejects.toThrow(/bad\.json/);
    await expect(runEvalCli(['eval', '--model', fixture(), '--dataset', conll('conll04_test.json')], () => undefined)).rejects.toThrow(/types/);
  });

  it('predict: a document longer than the encoder is predicted in windows', async () => {
    await writeFile(path.join(dir, 'long.json'), JSON.stringify([['a', 'b'], Array.from({ length: 600 }, (_, i) => `w${i}`)]));
    await runEvalCli(['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'long.json'), '--output', path.join(dir, 'y.json'), '--backend', 'wasm'], () => undefined);
    const out = JSON.parse(await readFile(path.join(dir, 'y.json'), 'utf8')) as PredictionOutput[];
    expect(out[1].tokens).toHaveLength(600);
    expect(out[1].windows).toBeGreaterThan(1);
  });
});
