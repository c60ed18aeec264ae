// TF.js vs ONNX for one model with every relation switch of issue 23 on: entity types into the
// relation head, type constraints from the training set, per-type thresholds. Same entities and
// relations on all of CoNLL04 test; logits and probabilities within 1e-4.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { readDataset, readTypes, type Document } from '@spert/core';
import { createScratchModel, saveModel } from '@spert/model';
import { decodeScores, relationDecoding } from '@spert/pipeline';
import { trainSpert } from '@spert/trainer';
import { maxAbsDiff } from '../../../tools/testing/float64';
import { sharedPath } from '../../../tools/testing/shared';
import { exportSpertOnnx } from './export-model';
import { SpertOnnxRuntime } from './runtime';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

describe('TF.js and ONNX agree with every relation switch on', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = await mkdtemp(path.join(tmpdir(), 'onnx-switches-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a model trained a few steps with entity types, constraints and per-type thresholds: same predictions on all 288 CoNLL04 test documents', async () => {
    const types = await readTypes({ path: conll('conll04_types.json') });
    const train = (await readDataset({ path: conll('conll04_train.json'), types })).documents;
    const test = (await readDataset({ path: conll('conll04_test.json'), types })).documents.map((d) => d.tokens);
    // Thresholds low enough for a model trained 30 steps, one per type for two of the types.
    const settings = { relationEntityTypes: 'embedding', typeEmbedding: 8, relationTypeConstraints: 'train', relFilterThreshold: 0.15, relThresholds: { Kill: 0.2, Work_For: 0.18 } } as const;
    const model = createScratchModel({ documents: train, types, hiddenSize: 32, layers: 1, heads: 2, intermediateSize: 64, seed: 11, settings: { ...settings, relThresholds: { ...settings.relThresholds } } });
    try {
      await trainSpert({ model, documents: train.slice(0, 120), epochs: 1, batchSize: 4, lr: 3e-3, seed: 2, progress: 'off' });
      // 30 steps teach "none" first: lower its bias (as trained-parity.spec does for random models) so that entities pass, ~4 per document.
      const bias = model.variables().get('entity_classifier.bias') as tf.Variable;
      const lowered = bias.dataSync().slice();
      lowered[0] -= 3;
      bias.assign(tf.tensor1d(lowered));
      await saveModel(model, path.join(dir, 'model'));
      await exportSpertOnnx({ modelDir: path.join(dir, 'model'), outDir: path.join(dir, 'onnx') });
      const exported = JSON.parse(await readFile(path.join(dir, 'onnx', 'config.json'), 'utf8')) as { spert: Record<string, unknown> };
      expect(exported.spert).toMatchObject({ relation_entity_types: 'embedding', type_embedding_size: 8, relation_type_constraints: 'train', rel_thresholds: settings.relThresholds });
      const runtime = await SpertOnnxRuntime.load(path.join(dir, 'onnx'), { threads: 1 });
      try {
        expect(runtime.settings.relationTriples).toEqual(model.settings.relationTriples);
        const tfjsScores = await model.score(test, { batchSize: 16 });
        const tfjs = test.map((tokens, i) => decodeScores(model, tokens, tfjsScores[i]));
        const onnx = await runtime.predictTokens(test);
        const strip = (d: Document) => JSON.stringify({ e: d.entities.map(({ type, start, end }) => [type, start, end]), r: d.relations.map(({ type, head, tail }) => [type, head, tail]) });
        const differing = tfjs.map((d, i) => [i, strip(d), strip(onnx[i])] as const).filter(([, a, b]) => a !== b);
        expect(differing.slice(0, 3)).toEqual([]);
        const onnxScores = await runtime.score(test);
        let worst = 0;
        tfjsScores.forEach((s, k) => {
          expect(onnxScores[k].pairs).toEqual(s.pairs);
          const o = onnxScores[k];
          for (const [x, y] of [[s.entityLogits, o.entityLogits], [s.entityProbs, o.entityProbs], [s.relationLogits, o.relationLogits], [s.relationProbs, o.relationProbs]]) worst = Math.max(worst, maxAbsDiff(x, y));
        });
        expect(worst).toBeLessThan(1e-4);
        const entities = tfjs.reduce((n, d) => n + d.entities.length, 0);
        const relations = tfjs.reduce((n, d) => n + d.relations.length, 0);
        expect(entities).toBeGreaterThan(100);
        expect(relations).toBeGreaterThan(100);
        // The switches are not idle here: without the constraints, more relations would be emitted.
        const free = { ...relationDecoding(model.settings), constraints: undefined };
        const unconstrained = test.reduce((n, tokens, i) => n + decodeScores(model, tokens, tfjsScores[i], free).relations.length, 0);
        expect(unconstrained).toBeGreaterThan(relations);
      } finally {
        await runtime.dispose();
      }
    } finally {
      model.dispose();
    }
  }, 300_000);
});
