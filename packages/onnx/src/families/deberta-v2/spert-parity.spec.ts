// SpERT on a DeBERTa-v3-shaped encoder end to end: models with the fixture's SentencePiece
// tokenizer (one random, one trained here), saved and loaded, predicting, exported to ONNX;
// TF.js and onnxruntime agree on all 288 CoNLL04 test documents (entities, relations, every
// logit and probability within 1e-4).
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeDebertaV2Config } from '@spert/checkpoint';
import { readDataset, readTypes, SPERT_DEFAULTS, type Document, type TypesSchema } from '@spert/core';
import { createEncoder, DebertaV2Encoder } from '@spert/encoder';
import { openModel, saveModel, SpertModel } from '@spert/model';
import { decodeScores } from '@spert/pipeline';
import { loadTokenizer } from '@spert/tokenizer';
import { trainSpert, type Progress } from '@spert/trainer';
import { maxAbsDiff } from '../../../../../tools/testing/float64';
import { sharedPath } from '../../../../../tools/testing/shared';
import { exportSpertOnnx } from '../../export-model';
import { SpertOnnxRuntime } from '../../runtime';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const tokenizerDir = path.dirname(sharedPath('fixtures', 'tiny-deberta-v3', 'tokenizer.json'));
const strip = (d: Document) => JSON.stringify({ e: d.entities.map(({ type, start, end }) => [type, start, end]), r: d.relations.map(({ type, head, tail }) => [type, head, tail]) });

let dir: string;
let types: TypesSchema;
let train: Document[];
let test: string[][];
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(path.join(tmpdir(), 'deberta-spert-'));
  types = await readTypes({ path: conll('conll04_types.json') });
  train = (await readDataset({ path: conll('conll04_train.json'), types })).documents;
  test = (await readDataset({ path: conll('conll04_test.json'), types })).documents.map((d) => d.tokens);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A DeBERTa-v3-shaped SpERT model; 32 buckets, so that sentences reach the log-bucketed range (|q - k| > 16) and the clamps. */
async function debertaSpert(seed: number, initializerRange: number): Promise<SpertModel> {
  // The fixture's unigram tokenizer was trained on CoNLL04 training sentences.
  const { tokenizer } = await loadTokenizer({ dir: tokenizerDir });
  const config = makeDebertaV2Config({ vocab_size: 408, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, position_buckets: 32, initializer_range: initializerRange });
  return SpertModel.create({ encoder: createEncoder({ config, seed }), tokenizer, settings: { ...SPERT_DEFAULTS, types }, seed });
}

/** Saves and reloads `created`, exports it and compares TF.js with ONNX on all test documents; returns the TF.js counts. */
async function saveLoadExportCompare(created: SpertModel, name: string): Promise<{ entities: number; relations: number }> {
  const modelDir = path.join(dir, name, 'model');
  await saveModel(created, modelDir);
  const saved = JSON.parse(await readFile(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  expect(saved).toMatchObject({ model_type: 'deberta-v2', position_buckets: 32, share_att_key: true, pos_att_type: ['p2c', 'c2p'] });
  const model = await SpertModel.load({ dir: modelDir });
  const outDir = path.join(dir, name, 'onnx');
  let runtime: SpertOnnxRuntime | undefined;
  try {
    expect(model.encoder).toBeInstanceOf(DebertaV2Encoder);
    expect(model.tokenizer.kind).toBe('tokenizer-json');
    // Loading gives the same model: identical scores to the one saved.
    const few = test.slice(0, 8);
    const [a, b] = [await created.score(few), await model.score(few)];
    a.forEach((s, i) => expect(maxAbsDiff(s.entityLogits, b[i].entityLogits)).toBe(0));

    await exportSpertOnnx({ modelDir, outDir });
    runtime = await SpertOnnxRuntime.load(outDir, { threads: 1 });
    const tfjsScores = await model.score(test, { batchSize: 16 });
    const tfjs = test.map((tokens, i) => decodeScores(model, tokens, tfjsScores[i]));
    // model.predict goes through the same pipeline
    expect((await model.predict(test.slice(0, 20))).map(strip)).toEqual(tfjs.slice(0, 20).map(strip));
    const onnx = await runtime.predictTokens(test);
    const differing = tfjs.map((d, i) => [i, strip(d), strip(onnx[i])] as const).filter(([, x, y]) => x !== y);
    expect(differing.slice(0, 3)).toEqual([]);
    const onnxScores = await runtime.score(test);
    let worst = 0;
    tfjsScores.forEach((s, k) => {
      const o = onnxScores[k];
      expect(o.spans).toEqual(s.spans);
      expect(o.pairs).toEqual(s.pairs);
      for (const [x, y] of [[s.entityLogits, o.entityLogits], [s.entityProbs, o.entityProbs], [s.relationLogits, o.relationLogits], [s.relationProbs, o.relationProbs]]) worst = Math.max(worst, maxAbsDiff(x, y));
    });
    expect(worst).toBeLessThan(1e-4);
    return { entities: tfjs.reduce((n, d) => n + d.entities.length, 0), relations: tfjs.reduce((n, d) => n + d.relations.length, 0) };
  } finally {
    await runtime?.dispose();
    model.dispose();
  }
}

it('a random DeBERTa-v3-shaped SpERT model: save/load, predict, ONNX export; same predictions and logits (1e-4) on all 288 CoNLL04 test documents', async () => {
  expect(test).toHaveLength(288);
  const created = await debertaSpert(7, 0.1);
  try {
    // A zero-bias random classifier calls most spans entities and makes O(n^2) pairs: raise "none"
    // (at 0.1: ~3.5 minutes, logits still within 1.3e-6, but 4 of 288 documents flip near-threshold decisions).
    created.variables().get('entity_classifier.bias')?.assign(tf.tensor1d([0.3, 0, 0, 0, 0]));
    const counts = await saveLoadExportCompare(created, 'random');
    // measured: 2,360 entities and ~109,000 relations, so the comparison covers many decisions
    expect(counts.entities).toBeGreaterThan(1000);
    expect(counts.relations).toBeGreaterThan(1000);
  } finally {
    created.dispose();
  }
}, 300_000);

it('a DeBERTa SpERT model trained here (loss falls, every encoder parameter moves): same predictions and logits (1e-4) on all 288 test documents', async () => {
  const created = await debertaSpert(3, 0.02);
  try {
    const docs = train.slice(0, 64);
    const before = new Map([...created.encoder.variables()].map(([k, v]) => [k, v.dataSync().slice()]));
    const losses: number[][] = [];
    const progress: Progress = { start() {}, update: (u) => (losses[u.epoch] ??= []).push(u.loss), endEpoch() {}, stop() {} };
    const result = await trainSpert({ model: created, documents: docs, epochs: 3, batchSize: 4, lr: 1e-2, seed: 2, progress });
    expect(Number.isFinite(result.lastLoss)).toBe(true);
    // It learns: the mean training loss of the last epoch is well below the first one's (measured 0.71 -> 0.32).
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(mean(losses[2])).toBeLessThan(0.8 * mean(losses[0]));
    const unchanged = [...created.encoder.variables()].filter(([k, v]) => maxAbsDiff(v.dataSync(), before.get(k)!) === 0).map(([k]) => k);
    expect(unchanged).toEqual([]); // the relative embeddings and their LayerNorm get gradients too
    await saveLoadExportCompare(created, 'trained');
  } finally {
    created.dispose();
  }
}, 300_000);

it('openModel on a Hugging Face DeBERTa-v3 directory (tiny-deberta-v3) builds SpERT heads on its encoder', async () => {
  const model = await openModel({ id: tokenizerDir, types, seed: 1 });
  try {
    expect(model.encoder).toBeInstanceOf(DebertaV2Encoder);
    expect(model.tokenizer.specialIds.cls).toBe(1); // [CLS], the context token the heads read
    const encoded = model.encodeDocuments([test[0]])[0];
    expect(encoded.inputIds[0]).toBe(1);
    expect(encoded.inputIds[encoded.inputIds.length - 1]).toBe(2);
    const [prediction] = await model.predict([test[0]]);
    expect(prediction.tokens).toEqual(test[0]);
  } finally {
    model.dispose();
  }
});
