import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { labelStudioTrainingDocuments } from '@spert/annotations';
import { fixture, TYPES, writeTinyModel } from '../test/helpers';
import { modelVersionOf } from './serving-model';
import { notWorse, runTrainJob } from './train-job';

describe('the swap rule', () => {
  const s = (score: number) => ({ entityF1: score, relationF1: score, score });
  it('takes a new model unless it is worse on the held-out tasks', () => {
    expect(notWorse(s(40), s(30))).toBe(true);
    expect(notWorse(s(30), s(30))).toBe(true);
    expect(notWorse(s(29.99), s(30))).toBe(false);
  });
});

describe('runTrainJob', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-ls-job-'));
    await writeTinyModel(path.join(root, 'model'));
  }, 60_000);
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('scores the current and the new model on the held-out tasks and saves the new one when not worse', async () => {
    const { documents } = labelStudioTrainingDocuments(fixture<unknown[]>('export.json'), { config: { dataKey: 'text' }, types: TYPES, source: 'export.json' });
    const dir = path.join(root, 'model');
    // lr 0: the new model is the current one, so both score the same, and a tie is taken.
    const result = await runTrainJob({ start: { kind: 'model', dir }, types: TYPES, train: documents.slice(0, 2), heldOut: documents.slice(2), currentDir: dir, outDir: path.join(root, 'new'), hyperparameters: { epochs: 1, batchSize: 2, lr: 0 }, backend: 'auto' });
    expect(result).toMatchObject({ accepted: true, modelDir: path.join(root, 'new'), steps: 1 });
    expect(result.candidate).toEqual(result.current);
    expect(result.summary).toMatch(/^1 steps on 2 tasks in [\d.]+ s; new model accepted: not worse on 1 held-out tasks \(entities F1 [\d.]+, relations F1 [\d.]+ against entities F1 [\d.]+, relations F1 [\d.]+\)$/);
    // A version names the weights: the unchanged weights keep it.
    expect(await modelVersionOf(path.join(root, 'new'), 'spert')).toBe(await modelVersionOf(dir, 'spert'));
  }, 60_000);
});
