import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { collectRelationTriples, readDataset, readTypes, type Document, type TypesSchema } from '@spert/core';
import { sharedPath } from '../../../tools/testing/shared';
import { saveModel } from './save-model';
import { createScratchModel } from './scratch-model';
import { SpertModel } from './spert-model';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const tiny = { hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, maxPositions: 128, maxVocab: 800, seed: 5 };

describe('a SpertModel with every relation switch on', () => {
  let types: TypesSchema;
  let docs: Document[];
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    types = await readTypes({ path: conll('conll04_types.json') });
    docs = (await readDataset({ path: conll('conll04_train.json'), types })).documents.slice(0, 30);
    dir = await mkdtemp(path.join(tmpdir(), 'switches-model-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('saves the type embedding under rel_type_embeddings.weight and the switches in config.json, and loads both back', async () => {
    const settings = {
      relationEntityTypes: 'embedding' as const,
      typeEmbedding: 6,
      relationTypeConstraints: 'train' as const,
      relationTriples: collectRelationTriples(docs, types),
      relThresholds: { Kill: 0.3 },
    };
    const model = createScratchModel({ documents: docs, types, ...tiny, settings });
    const E = types.entities.length;
    expect(model.relationHead.weight.shape).toEqual([types.relations.length, 3 * 16 + 2 * 25 + 2 * 6]);
    await saveModel(model, path.join(dir, 'm'));
    const config = JSON.parse(await readFile(path.join(dir, 'm', 'config.json'), 'utf8')) as { spert: Record<string, unknown> };
    expect(config.spert).toMatchObject({ relation_entity_types: 'embedding', type_embedding_size: 6, relation_type_constraints: 'train', rel_thresholds: { Kill: 0.3 } });
    expect(config.spert.relation_triples).toEqual(settings.relationTriples);
    const loaded = await SpertModel.load({ dir: path.join(dir, 'm') });
    try {
      expect(loaded.settings).toMatchObject(settings);
      expect(loaded.relationHead.typeEmbeddings?.shape).toEqual([E + 1, 6]);
      expect(Array.from(loaded.relationHead.typeEmbeddings?.dataSync() ?? [])).toEqual(Array.from(model.relationHead.typeEmbeddings?.dataSync() ?? []));
      // Scoring runs the type embedding with the predicted types, identically after the round trip.
      // The two shortest documents: an untrained model keeps most spans, and pairs grow with their square.
      const words = docs.map((d) => d.tokens).sort((x, y) => x.length - y.length).slice(0, 2);
      const [a, b] = [await model.score(words), await loaded.score(words)];
      expect(b.map((d) => Array.from(d.relationLogits))).toEqual(a.map((d) => Array.from(d.relationLogits)));
    } finally {
      loaded.dispose();
      model.dispose();
    }
  });

  it('refuses a checkpoint whose type embedding config.json does not announce, naming the tensor', async () => {
    const model = createScratchModel({ documents: docs, types, ...tiny, settings: { relationEntityTypes: 'embedding' } });
    await saveModel(model, path.join(dir, 'bad'));
    model.dispose();
    const file = path.join(dir, 'bad', 'config.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as { spert: Record<string, unknown> };
    delete config.spert.relation_entity_types;
    await (await import('node:fs/promises')).writeFile(file, JSON.stringify(config));
    await expect(SpertModel.load({ dir: path.join(dir, 'bad') })).rejects.toThrow(/unexpected tensors rel_type_embeddings\.weight \(rel_type_embeddings\.weight belongs to a model with spert\.relation_entity_types "embedding"/);
  });
});
