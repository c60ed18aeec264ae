import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { readTypes, type TypesSchema } from '@spert/core';
import { loadCheckpoint, writeRandomCheckpoint } from '@spert/checkpoint';
import { sharedPath } from '../../../tools/testing/shared';
import { openModel } from './open-model';
import { SpertModel } from './spert-model';

describe('openModel', () => {
  let dir: string;
  let types: TypesSchema;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(path.join(tmpdir(), 'open-model-'));
    types = await readTypes({ path: sharedPath('datasets', 'conll04', 'conll04_types.json') });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a plain BERT checkpoint becomes the encoder of a new model with fresh heads and the given settings', async () => {
    const bert = path.join(dir, 'bert');
    await writeRandomCheckpoint({ dir: bert, seed: 3, prefix: true, config: { vocab_size: 200, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 } });
    const model = await openModel({ id: bert, types, settings: { maxSpanSize: 6 }, seed: 1 });
    try {
      const checkpoint = await loadCheckpoint({ dir: bert });
      const word = checkpoint.encoderTensors.get('embeddings.word_embeddings.weight');
      expect(Array.from(model.variables().get('bert.embeddings.word_embeddings.weight')?.dataSync() ?? [])).toEqual(Array.from(word?.data ?? []));
      expect(model.settings.types).toEqual(types);
      expect(model.settings.maxSpanSize).toBe(6);
      expect(model.variables().get('entity_classifier.weight')?.shape).toEqual([types.entities.length + 1, 2 * 16 + 25]);
      const [doc] = await model.score([['abc', 'de']]);
      expect(doc.spans).toHaveLength(3);
    } finally {
      model.dispose();
    }
    await expect(openModel({ id: bert })).rejects.toThrow(/plain encoder checkpoint needs the task's types file/);
  });

  it('a SpERT directory (the reference-trained fixture) loads whole, as SpertModel.load does', async () => {
    const fixture = sharedPath('fixtures', 'spert-scratch-conll04');
    const [opened, loaded] = [await openModel({ id: fixture, types }), await SpertModel.load({ dir: fixture, types })];
    try {
      const words = [['John', 'Smith', 'works', 'for', 'IBM', 'in', 'Boston', '.']];
      expect((await opened.score(words))[0].entityLogits).toEqual((await loaded.score(words))[0].entityLogits);
      expect(await opened.predict(words)).toEqual(await loaded.predict(words));
    } finally {
      opened.dispose();
      loaded.dispose();
    }
  });
});
