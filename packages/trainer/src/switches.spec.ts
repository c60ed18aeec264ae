import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { collectRelationTriples, readDataset, readTypes } from '@spert/core';
import { createScratchModel } from '@spert/model';
import { sharedPath } from '../../../tools/testing/shared';
import { trainSpert } from './train-spert';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

describe('trainSpert with the relation switches', () => {
  it('learns the entity-type embedding from gold types and takes the constraint table from the training set', async () => {
    await useBackend('wasm');
    const types = await readTypes({ path: conll('conll04_types.json') });
    const docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 12);
    const model = createScratchModel({
      documents: docs,
      types,
      hiddenSize: 16,
      layers: 1,
      heads: 2,
      intermediateSize: 32,
      seed: 3,
      settings: { relationEntityTypes: 'embedding', typeEmbedding: 4, relationTypeConstraints: 'train' },
    });
    try {
      const table = model.relationHead.typeEmbeddings as tf.Variable;
      const before = table.dataSync().slice();
      const tensorsBefore = tf.memory().numTensors;
      const result = await trainSpert({ model, documents: docs, epochs: 1, batchSize: 4, lr: 5e-3, seed: 1, progress: 'off' });
      expect(result.steps).toBe(3);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const after = table.dataSync();
      const E1 = types.entities.length + 1;
      const TD = 4;
      // Every entity type occurs in these documents: its row moved; gold pairs only (strong negatives), so the none row (0) gets no gradient
      // from the classifier and only the decoupled weight decay (lr * wd * w) moves it, by far less.
      const moved = (row: number) => Math.max(...Array.from({ length: TD }, (_, d) => Math.abs(after[row * TD + d] - before[row * TD + d])));
      for (let row = 1; row < E1; row++) expect(moved(row)).toBeGreaterThan(1e-4);
      expect(moved(0)).toBeLessThan(1e-5);
      expect(model.settings.relationTriples).toEqual(collectRelationTriples(docs, types));
    } finally {
      model.dispose();
    }
  }, 120_000);
});
