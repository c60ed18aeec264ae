import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { readDataset, readTypes, type Document, type TypesSchema } from '@spert/core';
import { createScratchModel, saveModel, SpertModel } from '@spert/model';
import { collate, createRng, createTrainSample } from '@spert/span-sampler';
import { sharedPath } from '../../../tools/testing/shared';
import { spertLoss } from './spert-loss';
import { trainSpert } from './train-spert';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

/** Eval-mode loss on fixed samples (seeded negatives), to compare before and after training. */
function fixedLoss(model: SpertModel, docs: Document[], types: TypesSchema): number {
  const rng = createRng(7);
  const encodings = model.encodeDocuments(docs.map((d) => d.tokens));
  const b = collate(docs.map((document, i) => createTrainSample({ document, encoding: encodings[i], types, rng })));
  return tf.tidy(() => {
    const out = model.forwardTrain(b, { training: false });
    const R = types.relations.length;
    return spertLoss({
      entityLogits: tf.reshape(out.entityLogits, [-1, types.entities.length + 1]) as tf.Tensor2D,
      entityLabels: tf.tensor1d(b.spanLabels.data, 'int32'),
      entityMask: tf.tensor1d(b.spanMask.data, 'float32'),
      relationLogits: tf.reshape(out.relationLogits, [-1, R]) as tf.Tensor2D,
      relationLabels: tf.tensor2d(b.pairLabels.data, [b.pairMask.data.length, R]),
      relationMask: tf.tensor1d(b.pairMask.data, 'float32'),
    }).total.dataSync()[0];
  });
}

describe('trainSpert', () => {
  it('trains a tiny scratch model on CoNLL04 (loss falls) and save/load gives identical predictions', async () => {
    await useBackend('wasm');
    const types = await readTypes({ path: conll('conll04_types.json') });
    const docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 24);
    const model = createScratchModel({ documents: docs, types, hiddenSize: 32, layers: 1, heads: 2, intermediateSize: 64, seed: 3 });
    const dir = await mkdtemp(path.join(tmpdir(), 'train-spert-'));
    try {
      const before = fixedLoss(model, docs.slice(0, 8), types);
      const tensorsBefore = tf.memory().numTensors;
      const result = await trainSpert({ model, documents: docs, epochs: 4, batchSize: 4, lr: 5e-3, seed: 1, logDir: path.join(dir, 'log'), progress: false });
      expect(result.steps).toBe(24);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const after = fixedLoss(model, docs.slice(0, 8), types);
      expect(after).toBeLessThan(before * 0.7);
      const log = await readFile(path.join(dir, 'log', (await import('node:fs')).readdirSync(path.join(dir, 'log')).find((f) => f.endsWith('.jsonl')) ?? ''), 'utf8');
      expect(log.trim().split('\n').length).toBeGreaterThan(0);

      await saveModel(model, path.join(dir, 'model'));
      const loaded = await SpertModel.load({ dir: path.join(dir, 'model') });
      const words = docs.slice(0, 6).map((d) => d.tokens);
      expect(await loaded.predict(words)).toEqual(await model.predict(words));
      loaded.dispose();
    } finally {
      model.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a training document too long for the encoder fails before the first step, naming file and index', async () => {
    await useBackend('wasm');
    const types = await readTypes({ path: conll('conll04_types.json') });
    const docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 4);
    const model = createScratchModel({ documents: docs, types, hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, maxPositions: 64, seed: 3 });
    try {
      const long: Document = { tokens: Array.from({ length: 80 }, () => 'the'), entities: [], relations: [] };
      const params = [...model.variables().values()].map((v) => v.dataSync().slice());
      await expect(trainSpert({ model, documents: [...docs, long], source: 'train.json', epochs: 1, progress: false })).rejects.toThrow(
        /^train\.json: document 4 is too long for the encoder: 80 words give 82 wordpieces .* maximum is 64/,
      );
      [...model.variables().values()].forEach((v, i) => expect(v.dataSync()).toEqual(params[i]));
    } finally {
      model.dispose();
    }
  });
});
