// The paper's ablations as spert-train flags: parsed, validated, and stored in the trained model.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDataset, readTypes, writeDataset } from '@spert/core';
import { SpertModel } from '@spert/model';
import { sharedPath } from '../../../tools/testing/shared';
import { parseTrainArgs } from './cli';
import { runTraining } from './run-training';

describe('spert-train ablation flags', () => {
  it('default to the reference and take every variant', () => {
    expect(parseTrainArgs([])).toMatchObject({ relationNegatives: 'strong', relationContext: 'localized', spanPooling: 'max' });
    expect(parseTrainArgs(['--relation-negatives', 'weak', '--relation-context', 'cls', '--span-pooling', 'sum'])).toMatchObject({
      relationNegatives: 'weak',
      relationContext: 'cls',
      spanPooling: 'sum',
    });
    for (const kind of ['localized', 'sentence', 'cls', 'none']) expect(parseTrainArgs(['--relation-context', kind]).relationContext).toBe(kind);
    for (const kind of ['max', 'mean', 'sum']) expect(parseTrainArgs(['--span-pooling', kind]).spanPooling).toBe(kind);
  });

  it('refuse unknown values, naming the setting', () => {
    expect(() => parseTrainArgs(['--relation-context', 'global'])).toThrow('- relationContext: Invalid option: expected one of "localized"|"sentence"|"cls"|"none"');
    expect(() => parseTrainArgs(['--relation-negatives', 'all'])).toThrow(/relationNegatives/);
    expect(() => parseTrainArgs(['--span-pooling', 'median'])).toThrow(/spanPooling/);
  });

  it('train a tiny model with weak negatives, the sentence context and mean pooling, stored in its config.json', async () => {
    const conll = (f: string) => sharedPath('datasets', 'conll04', f);
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-abl-'));
    try {
      const types = await readTypes({ path: conll('conll04_types.json') });
      const valid = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 4);
      await writeDataset({ path: path.join(dir, 'valid.json'), documents: valid });
      const argv = [
        '--train', conll('conll04_train.json'), '--valid', path.join(dir, 'valid.json'), '--types', conll('conll04_types.json'),
        '--limit-train', '16', '--epochs', '1', '--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32',
        // as cli.spec's run: a learning rate at which one epoch already turns most spans to "none" (a random head keeps most, and pairs them all)
        '--lr', '1e-3', '--backend', 'wasm', '--out', path.join(dir, 'run'), '--no-progress',
        '--relation-negatives', 'weak', '--relation-context', 'sentence', '--span-pooling', 'mean',
      ];
      const config = parseTrainArgs(argv);
      const run = await runTraining(config, () => undefined);
      const saved = JSON.parse(await readFile(path.join(run.modelDir, 'config.json'), 'utf8')) as { spert: Record<string, unknown> };
      expect(saved.spert).toMatchObject({ relation_negatives: 'weak', relation_context: 'sentence', span_pooling: 'mean' });
      const model = await SpertModel.load({ dir: run.modelDir });
      expect(model.settings).toMatchObject({ relationNegatives: 'weak', relationContext: 'sentence', spanPooling: 'mean' });
      expect(model.entityHead.spanPooling).toBe('mean');
      model.dispose();
      // its checkpoint records the variant: resuming it as the reference's variant is refused
      const reference = parseTrainArgs([...argv.filter((a) => !['--relation-negatives', 'weak', '--relation-context', 'sentence', '--span-pooling', 'mean'].includes(a)), '--resume']);
      await expect(runTraining(reference, () => undefined)).rejects.toThrow(/cannot resume from .*: it was trained with relationNegatives = "weak", this run has undefined/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
