// TF.js vs ONNX on models made by this project: one trained here with @spert/trainer, one random.
// Same entities and relations on all of CoNLL04 test; logits and probabilities within 1e-4.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { readDataset, readTypes, type Document, type PredictedDocument, type TypesSchema } from '@spert/core';
import { createScratchModel, openModel, saveModel, type SpertModel } from '@spert/model';
import { trainSpert } from '@spert/trainer';
import { maxAbsDiff } from '../../../tools/testing/float64';
import { sharedPath } from '../../../tools/testing/shared';
import { exportSpertOnnx } from './export-model';
import { decodeScores } from '@spert/pipeline';
import { SpertOnnxRuntime } from './runtime';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

async function compare(model: SpertModel, dir: string, docs: string[][]): Promise<{ entities: number; relations: number }> {
  await saveModel(model, path.join(dir, 'model'));
  await exportSpertOnnx({ modelDir: path.join(dir, 'model'), outDir: path.join(dir, 'onnx') });
  const runtime = await SpertOnnxRuntime.load(path.join(dir, 'onnx'), { threads: 1 });
  try {
    // One TF.js pass: scores of every document, decoded the way model.predict decodes them.
    const tfjsScores = await model.score(docs, { batchSize: 16 });
    const tfjs = docs.map((tokens, i) => decodeScores(model, tokens, tfjsScores[i]));
    const onnx = await runtime.predictTokens(docs);
    const strip = (d: Document) => JSON.stringify({ e: d.entities.map(({ type, start, end }) => [type, start, end]), r: d.relations.map(({ type, head, tail }) => [type, head, tail]) });
    // Report the first differing documents only: a diff of 288 long strings can exhaust the heap.
    const differing = tfjs.map((d, i) => [i, strip(d), strip(onnx[i])] as const).filter(([, a, b]) => a !== b);
    expect(differing.slice(0, 3)).toEqual([]);
    // Logits and probabilities of every candidate span and scored pair of every document.
    let worst = 0;
    const onnxScores = await runtime.score(docs);
    tfjsScores.forEach((s, k) => {
      expect(onnxScores[k].spans).toEqual(s.spans);
      expect(onnxScores[k].pairs).toEqual(s.pairs);
      const b = onnxScores[k];
      for (const [x, y] of [[s.entityLogits, b.entityLogits], [s.entityProbs, b.entityProbs], [s.relationLogits, b.relationLogits], [s.relationProbs, b.relationProbs]]) {
        worst = Math.max(worst, maxAbsDiff(x, y));
      }
    });
    expect(worst).toBeLessThan(1e-4);
    // A ~2,000-word document (CoNLL04 test sentences one after the other) goes through windows
    // in both runtimes and merges to the same entities, relations and types.
    const long: string[] = [];
    for (const d of docs) {
      if (long.length >= 2000) break;
      long.push(...d);
    }
    const [tfLong] = await model.predict([long]);
    const [onnxLong] = await runtime.predictTokens([long]);
    expect((onnxLong as { windows?: number }).windows).toBeGreaterThan(3);
    expect(strip(onnxLong)).toBe(strip(tfLong));
    expect(tfLong.entities.length).toBeGreaterThan(3);
    const scores = (d: Document) => [...(d as PredictedDocument).entities.map((e) => e.score), ...(d as PredictedDocument).relations.map((r) => r.score)];
    expect(maxAbsDiff(scores(tfLong), scores(onnxLong))).toBeLessThan(1e-4);
    return { entities: tfjs.reduce((n, d) => n + d.entities.length, 0), relations: tfjs.reduce((n, d) => n + d.relations.length, 0) };
  } finally {
    await runtime.dispose();
  }
}

describe('TF.js and ONNX agree on models made here', () => {
  let types: TypesSchema;
  let train: Document[];
  let test: string[][];
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    types = await readTypes({ path: conll('conll04_types.json') });
    train = (await readDataset({ path: conll('conll04_train.json'), types })).documents;
    test = (await readDataset({ path: conll('conll04_test.json'), types })).documents.map((d) => d.tokens);
    dir = await mkdtemp(path.join(tmpdir(), 'onnx-parity-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // Training plus a full TF.js pass over CoNLL04 test: minutes on a loaded 2-core CI machine.
  it('a model trained here: same predictions on all 288 CoNLL04 test documents', async () => {
    const model = createScratchModel({ documents: train, types, hiddenSize: 64, layers: 1, heads: 2, intermediateSize: 128, seed: 5 });
    try {
      await trainSpert({ model, documents: train.slice(0, 240), epochs: 4, batchSize: 4, lr: 2e-3, seed: 2, progress: false });
      const counts = await compare(model, path.join(dir, 'trained'), test);
      expect(counts.entities).toBeGreaterThan(100);
      expect(counts.relations).toBeGreaterThan(50);
    } finally {
      model.dispose();
    }
  }, 600_000);

  it('a random model: same predictions on all 288 CoNLL04 test documents', async () => {
    const model = createScratchModel({ documents: train, types, hiddenSize: 32, layers: 2, heads: 4, intermediateSize: 64, seed: 9 });
    try {
      // A zero-bias random classifier calls ~80% of all spans entities, and their O(n^2) pairs
      // would make this a test of memory, not of parity: raise the "none" bias so a few pass.
      model.variables().get('entity_classifier.bias')?.assign(tf.tensor1d([0.6, 0, 0, 0, 0]));
      const counts = await compare(model, path.join(dir, 'random'), test);
      expect(counts.entities).toBeGreaterThan(20);
      expect(counts.relations).toBeGreaterThan(20);
    } finally {
      model.dispose();
    }
  }, 600_000);

  it('a random model with the sentence context and mean span pooling: saved, reloaded, same predictions on all 288 CoNLL04 test documents', async () => {
    const settings = { relationContext: 'sentence', spanPooling: 'mean' } as const;
    const made = createScratchModel({ documents: train, types, hiddenSize: 32, layers: 2, heads: 4, intermediateSize: 64, seed: 13, settings });
    const saved = path.join(dir, 'ablation-saved');
    try {
      // as above: a "none" bias so that a few spans pass (mean-pooled spans are less spread than max-pooled ones)
      made.variables().get('entity_classifier.bias')?.assign(tf.tensor1d([0.5, 0, 0, 0, 0]));
      await saveModel(made, saved);
    } finally {
      made.dispose();
    }
    const model = await openModel({ id: saved });
    try {
      expect(model.settings).toMatchObject({ ...settings, relationNegatives: 'strong' });
      expect(model.entityHead.spanPooling).toBe('mean');
      const counts = await compare(model, path.join(dir, 'ablation'), test);
      expect(counts.entities).toBeGreaterThan(20);
      expect(counts.relations).toBeGreaterThan(20);
    } finally {
      model.dispose();
    }
  }, 600_000);
});
