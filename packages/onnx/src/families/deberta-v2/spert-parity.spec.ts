// SpERT on a DeBERTa-v3-shaped encoder end to end: a random model with the fixture's SentencePiece
// tokenizer, saved and loaded, predicting, exported to ONNX; TF.js and onnxruntime agree on all
// 288 CoNLL04 test documents (entities, relations, every logit within 1e-4).
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { makeDebertaV2Config } from '@spert/checkpoint';
import { readDataset, readTypes, SPERT_DEFAULTS, type Document } from '@spert/core';
import { createEncoder, DebertaV2Encoder } from '@spert/encoder';
import { saveModel, SpertModel } from '@spert/model';
import { decodeScores } from '@spert/pipeline';
import { loadTokenizer } from '@spert/tokenizer';
import { maxAbsDiff } from '../../../../../tools/testing/float64';
import { sharedPath } from '../../../../../tools/testing/shared';
import { exportSpertOnnx } from '../../export-model';
import { SpertOnnxRuntime } from '../../runtime';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const tokenizerDir = path.dirname(sharedPath('fixtures', 'tiny-deberta-v3', 'tokenizer.json'));
const strip = (d: Document) => JSON.stringify({ e: d.entities.map(({ type, start, end }) => [type, start, end]), r: d.relations.map(({ type, head, tail }) => [type, head, tail]) });

let dir: string;
beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(path.join(tmpdir(), 'deberta-spert-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('a random DeBERTa-v3-shaped SpERT model: save/load, predict, ONNX export; same predictions and logits (1e-4) on all 288 CoNLL04 test documents', async () => {
  const types = await readTypes({ path: conll('conll04_types.json') });
  const test = (await readDataset({ path: conll('conll04_test.json'), types })).documents.map((d) => d.tokens);
  expect(test).toHaveLength(288);
  // The fixture's unigram tokenizer was trained on CoNLL04 training sentences; 32 buckets, so
  // that sentences reach the log-bucketed range (|q - k| > 16) and the clamps.
  const { tokenizer } = await loadTokenizer({ dir: tokenizerDir });
  const config = makeDebertaV2Config({ vocab_size: 408, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, position_buckets: 32, initializer_range: 0.1 });
  const created = SpertModel.create({ encoder: createEncoder({ config, seed: 7 }), tokenizer, settings: { ...SPERT_DEFAULTS, types }, seed: 7 });
  // A zero-bias random classifier calls most spans entities and makes O(n^2) pairs: raise "none"
  // (at 0.1 the run takes minutes and a few of the many near-threshold decisions flip).
  created.variables().get('entity_classifier.bias')?.assign(tf.tensor1d([0.3, 0, 0, 0, 0]));
  const modelDir = path.join(dir, 'model');
  await saveModel(created, modelDir);
  const saved = JSON.parse(await readFile(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  expect(saved).toMatchObject({ model_type: 'deberta-v2', position_buckets: 32, share_att_key: true, pos_att_type: ['p2c', 'c2p'] });
  const model = await SpertModel.load({ dir: modelDir });
  const outDir = path.join(dir, 'onnx');
  let runtime: SpertOnnxRuntime | undefined;
  try {
    expect(model.encoder).toBeInstanceOf(DebertaV2Encoder);
    expect(model.tokenizer.kind).toBe('tokenizer-json');
    expect([...model.variables().keys()].filter((k) => k.startsWith('deberta.encoder.rel_embeddings'))).toEqual(['deberta.encoder.rel_embeddings.weight']);
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
    // measured: 2,360 entities and ~109,000 relations, so the comparison covers many decisions
    expect(tfjs.reduce((n, d) => n + d.entities.length, 0)).toBeGreaterThan(1000);
    expect(tfjs.reduce((n, d) => n + d.relations.length, 0)).toBeGreaterThan(1000);
  } finally {
    await runtime?.dispose();
    created.dispose();
    model.dispose();
  }
}, 300_000);
