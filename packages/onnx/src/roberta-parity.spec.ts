// SpERT on a RoBERTa-family encoder, end to end: a random roberta SpERT model (writeRandomCheckpoint
// encoder + tiny-roberta's byte-level BPE tokenizer) is saved, loaded, exported to ONNX and compared
// with its TF.js self on all 288 CoNLL04 test documents, then trained a few steps.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { readSafetensors, writeRandomCheckpoint } from '@spert/checkpoint';
import { readDataset, readTypes, SPERT_DEFAULTS, type Document, type PredictedDocument, type TypesSchema } from '@spert/core';
import { loadEncoder, RobertaEncoder } from '@spert/encoder';
import { openModel, SpertModel, saveModel } from '@spert/model';
import { decodeScores } from '@spert/pipeline';
import { loadTokenizer } from '@spert/tokenizer';
import { trainSpert } from '@spert/trainer';
import { maxAbsDiff } from '../../../tools/testing/float64';
import { sharedPath } from '../../../tools/testing/shared';
import { exportSpertOnnx } from './export-model';
import { SpertOnnxRuntime } from './runtime';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const strip = (d: Document) => JSON.stringify({ e: d.entities.map(({ type, start, end }) => [type, start, end]), r: d.relations.map(({ type, head, tail }) => [type, head, tail]) });

describe('SpERT with a RoBERTa encoder', () => {
  let types: TypesSchema;
  let train: Document[];
  let test: string[][];
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    types = await readTypes({ path: conll('conll04_types.json') });
    train = (await readDataset({ path: conll('conll04_train.json'), types })).documents;
    test = (await readDataset({ path: conll('conll04_test.json'), types })).documents.map((d) => d.tokens);
    dir = await mkdtemp(path.join(tmpdir(), 'roberta-spert-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('saves, loads, predicts, exports (TF.js and ONNX agree on all 288 CoNLL04 test documents, logits within 1e-4) and trains', async () => {
    // 514 positions (pad 1): 512 tokens per window, as roberta-base.
    const { tokenizer } = await loadTokenizer({ dir: sharedPath('fixtures', 'tiny-roberta'), maxLength: 512 });
    await writeRandomCheckpoint({
      dir: path.join(dir, 'encoder'),
      config: { model_type: 'roberta', vocab_size: tokenizer.vocabSize, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 64, max_position_embeddings: 514 },
      seed: 3,
      prefix: true,
    });
    const { encoder } = await loadEncoder({ id: path.join(dir, 'encoder'), seed: 1 });
    expect(encoder).toBeInstanceOf(RobertaEncoder);
    const model = SpertModel.create({ encoder, tokenizer, settings: { ...SPERT_DEFAULTS, types }, seed: 9 });
    let loaded: SpertModel | undefined;
    let runtime: SpertOnnxRuntime | undefined;
    try {
      expect([...model.variables().keys()].filter((k) => !/^(entity_classifier|rel_classifier|size_embeddings)\./.test(k)).every((k) => k.startsWith('roberta.'))).toBe(true);
      // A random classifier's logits barely differ between spans: shift "none" so that about 1.5% of
      // the spans of 50 documents are entities (a test of parity, not of memory for O(n^2) pairs).
      // The margins are read with "none" far ahead, so that no pair is scored meanwhile.
      const E1 = types.entities.length + 1;
      const bias = model.variables().get('entity_classifier.bias')!;
      const b0 = bias.dataSync()[0];
      const setNone = (v: number) => tf.tidy(() => bias.assign(tf.tensor1d([v, ...Array.from(bias.dataSync().subarray(1))])));
      setNone(b0 + 100);
      const margins: number[] = [];
      for (const d of await model.score(test.slice(0, 50))) {
        for (let s = 0; s < d.spans.length; s++) {
          const row = d.entityLogits.subarray(s * E1, (s + 1) * E1);
          margins.push(Math.max(...row.subarray(1)) - (row[0] - 100));
        }
      }
      margins.sort((a, b) => b - a);
      const k = Math.ceil(0.015 * margins.length);
      setNone(b0 + (margins[k - 1] + margins[k]) / 2);

      const modelDir = path.join(dir, 'model');
      await saveModel(model, modelDir);
      const config = JSON.parse(await readFile(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, unknown>;
      expect(config).toMatchObject({ model_type: 'roberta', pad_token_id: 1, max_position_embeddings: 514, spert_version: '1.1' });
      const names = [...readSafetensors(new Uint8Array(await readFile(path.join(modelDir, 'model.safetensors')))).tensors.keys()];
      expect(names).toContain('roberta.embeddings.position_embeddings.weight');
      expect(names.filter((n) => n.startsWith('bert.'))).toEqual([]);
      loaded = await SpertModel.load({ dir: modelDir, types });
      expect(loaded.encoder).toBeInstanceOf(RobertaEncoder);
      expect(loaded.tokenizer.maxLength).toBe(512);
      const sample = test.slice(0, 24);
      expect((await loaded.predict(sample)).map(strip)).toEqual((await model.predict(sample)).map(strip));

      await exportSpertOnnx({ modelDir, outDir: path.join(dir, 'onnx') });
      runtime = await SpertOnnxRuntime.load(path.join(dir, 'onnx'), { threads: 1 });
      const tfjsScores = await loaded.score(test, { batchSize: 16 });
      const onnxScores = await runtime.score(test);
      let worst = 0;
      tfjsScores.forEach((s, k) => {
        expect(onnxScores[k].spans).toEqual(s.spans);
        expect(onnxScores[k].pairs).toEqual(s.pairs);
        const o = onnxScores[k];
        for (const [x, y] of [[s.entityLogits, o.entityLogits], [s.entityProbs, o.entityProbs], [s.relationLogits, o.relationLogits], [s.relationProbs, o.relationProbs]]) worst = Math.max(worst, maxAbsDiff(x, y));
      });
      expect(worst).toBeLessThan(1e-4);
      const tfjs = test.map((tokens, i) => decodeScores(loaded!, tokens, tfjsScores[i]));
      const onnx = await runtime.predictTokens(test);
      // Report the first differing documents only: a diff of 288 long strings can exhaust the heap.
      expect(tfjs.map((d, i) => [i, strip(d), strip(onnx[i])] as const).filter(([, a, b]) => a !== b).slice(0, 3)).toEqual([]);
      expect(tfjs.reduce((n, d) => n + d.entities.length, 0)).toBeGreaterThan(20);
      expect(tfjs.reduce((n, d) => n + d.relations.length, 0)).toBeGreaterThan(20);

      // A document longer than 512 tokens goes through the same windows in both runtimes.
      const long: string[] = [];
      for (const d of test) {
        if (long.length >= 600) break;
        long.push(...d);
      }
      const [tfLong] = await loaded.predict([long]);
      const [onnxLong] = await runtime.predictTokens([long]);
      expect((onnxLong as { windows?: number }).windows).toBeGreaterThan(1);
      expect(strip(onnxLong)).toBe(strip(tfLong));
      const scores = (d: Document) => [...(d as PredictedDocument).entities.map((e) => e.score), ...(d as PredictedDocument).relations.map((r) => r.score)];
      expect(maxAbsDiff(scores(tfLong), scores(onnxLong))).toBeLessThan(1e-4);

      // A few optimizer steps: gradients reach the RoBERTa embeddings through the heads.
      const before = loaded.variables().get('roberta.embeddings.position_embeddings.weight')!.dataSync().slice();
      const trained = await trainSpert({ model: loaded, documents: train.slice(0, 8), epochs: 1, batchSize: 4, lr: 1e-3, seed: 2, progress: 'off' });
      expect(trained.steps).toBe(2);
      expect(Number.isFinite(trained.lastLoss)).toBe(true);
      expect(maxAbsDiff(before, loaded.variables().get('roberta.embeddings.position_embeddings.weight')!.dataSync())).toBeGreaterThan(1e-5);
    } finally {
      model.dispose();
      loaded?.dispose();
      await runtime?.dispose();
    }
  }, 300_000);

  it('openModel turns a Hugging Face RoBERTa directory (tiny-roberta) into a SpERT model with fresh heads', async () => {
    const model = await openModel({ id: sharedPath('fixtures', 'tiny-roberta'), types, seed: 4 });
    try {
      expect(model.encoder).toBeInstanceOf(RobertaEncoder);
      expect(model.tokenizer.maxLength).toBe(64);
      expect([...model.variables().keys()]).toContain('roberta.encoder.layer.1.output.LayerNorm.weight');
      const docs = test.slice(0, 4).map((d) => d.slice(0, 12));
      const scores = await model.score(docs);
      expect(scores.map((s) => s.spans.length)).toEqual(docs.map((d) => Array.from({ length: Math.min(d.length, 10) }, (_, w) => d.length - w).reduce((a, b) => a + b, 0)));
      for (const s of scores) expect(s.entityProbs.every(Number.isFinite)).toBe(true);
    } finally {
      model.dispose();
    }
  });
});
