// The relation switches of issue 23 as spert-train flags: parsed, validated, stored in the trained model.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { collectRelationTriples, readDataset, readTypes, writeDataset } from '@spert/core';
import { SpertModel } from '@spert/model';
import { sharedPath } from '../../../tools/testing/shared';
import { parseTrainArgs } from './cli';
import { runTraining } from './run-training';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

describe('spert-train relation switches', () => {
  it('default to the reference and take every value', () => {
    expect(parseTrainArgs([])).toMatchObject({ relationEntityTypes: 'none', relationTypeConstraints: 'off', tuneThresholds: false, typeEmbeddingSize: 25 });
    expect(parseTrainArgs(['--relation-entity-types', 'embedding', '--type-embedding-size', '8', '--relation-type-constraints', 'train', '--tune-thresholds', '--tune-set', 'dev.json'])).toMatchObject({
      relationEntityTypes: 'embedding',
      typeEmbeddingSize: 8,
      relationTypeConstraints: 'train',
      tuneThresholds: true,
      tuneSet: 'dev.json',
    });
    expect(() => parseTrainArgs(['--relation-entity-types', 'onehot'])).toThrow(/relationEntityTypes/);
    expect(() => parseTrainArgs(['--relation-type-constraints', 'always'])).toThrow(/relationTypeConstraints/);
  });

  it('train a tiny model with every switch on: the type embedding, the training set\'s triples and thresholds tuned on dev are stored in config.json', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-switches-'));
    try {
      const types = await readTypes({ path: conll('conll04_types.json') });
      const train = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 16);
      const valid = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 4);
      const dev = (await readDataset({ path: conll('conll04_dev.json'), types })).documents.slice(0, 6);
      await writeDataset({ path: path.join(dir, 'valid.json'), documents: valid });
      await writeDataset({ path: path.join(dir, 'dev.json'), documents: dev });
      const argv = [
        '--train', conll('conll04_train.json'), '--valid', path.join(dir, 'valid.json'), '--types', conll('conll04_types.json'),
        '--limit-train', '16', '--epochs', '1', '--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32',
        // as ablation-flags.spec: a learning rate at which one epoch turns most spans to "none"
        '--lr', '1e-3', '--backend', 'wasm', '--out', path.join(dir, 'run'), '--no-progress',
        '--relation-entity-types', 'embedding', '--type-embedding-size', '6', '--relation-type-constraints', 'train', '--tune-thresholds',
      ];
      // Tuning on the set the run reports is refused before any training.
      await expect(runTraining(parseTrainArgs([...argv, '--tune-set', path.join(dir, 'valid.json')]), () => undefined)).rejects.toThrow(
        /--tune-thresholds: the tuning set .*valid\.json is the set the run evaluates on \(--valid\)/,
      );
      const lines: string[] = [];
      const run = await runTraining(parseTrainArgs([...argv, '--tune-set', path.join(dir, 'dev.json')]), (l) => lines.push(l));
      const saved = JSON.parse(await readFile(path.join(run.modelDir, 'config.json'), 'utf8')) as { spert: Record<string, unknown> };
      expect(saved.spert).toMatchObject({ relation_entity_types: 'embedding', type_embedding_size: 6, relation_type_constraints: 'train' });
      expect(saved.spert.relation_triples).toEqual(collectRelationTriples(train, types));
      const tuning = JSON.parse(await readFile(path.join(run.evalDir, 'threshold_tuning.json'), 'utf8')) as { global: number; perType: Record<string, number>; usePerType: boolean; curve: unknown[] };
      // The tuned global threshold is stored; per-type ones when they do not lower dev F1.
      expect(saved.spert.rel_filter_threshold).toBe(tuning.global);
      expect(saved.spert.rel_thresholds).toEqual(tuning.usePerType ? tuning.perType : undefined);
      expect(tuning.curve).toHaveLength(19);
      expect(lines.some((l) => l.startsWith(`Relation thresholds tuned on the ${path.join(dir, 'dev.json')}`))).toBe(true);
      const model = await SpertModel.load({ dir: run.modelDir });
      expect(model.relationHead.typeEmbeddings?.shape).toEqual([types.entities.length + 1, 6]);
      expect(model.settings.relFilterThreshold).toBe(tuning.global);
      model.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
