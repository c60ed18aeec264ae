import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EncoderShape } from './export-encoder';
import { exportSpertOnnx } from './export-model';
import { bertForward64, entityLogits64, relationLogits64 } from './float64-reference';
import { writeRandomSpertModel } from './random-weights';
import type { Prediction } from '@spert/core';
import { scoreDocuments } from '@spert/pipeline';
import { SpertOnnxRuntime } from './runtime';
import type { WeightMap } from './weights';

const typesJson = {
  entities: { Per: { short: 'Per', verbose: 'Person' }, Org: { short: 'Org', verbose: 'Organization' } },
  relations: {
    Works: { short: 'Works', verbose: 'Works for', symmetric: false },
    Meets: { short: 'Meets', verbose: 'Meets', symmetric: true },
  },
};
const words = ['Alice', 'Bob', 'met', 'at', 'Acme', 'Corp', 'in', 'Paris', '.', ','];
const pieces = ['Al', '##ice', '##s'];
let config: EncoderShape;
let weights: WeightMap;

const docs = [
  ['Alice', 'met', 'Bob', 'at', 'Acme', 'Corp', '.'],
  ['Bob', 'in', 'Paris'],
  ['Alices', 'Acme', 'Corp', 'met', 'Bob', 'in', 'Paris', ',', 'Alice', '.'],
  [],
];

let root: string;
let runtime: SpertOnnxRuntime;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'spert-onnx-'));
  const modelDir = path.join(root, 'model');
  // "none" made rarer (noneShift) so that relations get scored.
  weights = await writeRandomSpertModel({ dir: modelDir, words, pieces, types: typesJson, vocabSize: 30, seed: 3, noneShift: -0.8 });
  // The BERT part of config.json (the tests below write variants of it without SpERT's section).
  const { spert: _spert, ...bert } = JSON.parse(await readFile(path.join(modelDir, 'config.json'), 'utf8')) as EncoderShape & { spert?: unknown };
  config = bert;
  await exportSpertOnnx({ modelDir, outDir: path.join(root, 'onnx') });
  runtime = await SpertOnnxRuntime.load(path.join(root, 'onnx'), { threads: 1, batchSize: 3 });
});

afterAll(async () => {
  await runtime?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('SpertOnnxRuntime on an exported random model', () => {
  it('infer() matches a float64 re-computation of encoder + heads for every candidate (padded batches)', async () => {
    const encoded = runtime.encode(docs);
    const raw = await scoreDocuments({ runtime: runtime, encodings: encoded });
    let pairsChecked = 0;
    raw.forEach((r, d) => {
      const { inputIds, wordRanges } = encoded[d];
      const h = bertForward64(config, weights, inputIds, inputIds.map(() => 0), inputIds.map(() => 1));
      const ranges = r.spans.map(([s, e]) => [wordRanges[s][0], wordRanges[e - 1][1]] as [number, number]);
      const widths = r.spans.map(([s, e]) => e - s);
      expect(r.spans.length).toBe(docs[d].length === 0 ? 0 : [1, 2, 3, 4].reduce((a, w) => a + Math.max(0, docs[d].length - w + 1), 0));
      if (ranges.length === 0) return;
      const logits = entityLogits64(weights, h, ranges, widths);
      logits.forEach((row, s) => {
        const mx = Math.max(...row);
        const z = row.reduce((a, v) => a + Math.exp(v - mx), 0);
        row.forEach((v, c) => expect(Math.abs(r.entityProbs[s * 3 + c] - Math.exp(v - mx) / z)).toBeLessThan(1e-4));
      });
      // Candidates = ordered pairs of spans whose argmax is not "none".
      const kept = logits.map((row, s) => [s, row.indexOf(Math.max(...row))]).filter(([, c]) => c !== 0).map(([s]) => s);
      const expectedPairs = kept.flatMap((a) => kept.filter((b) => b !== a).map((b) => [a, b] as [number, number]));
      expect(r.pairs).toEqual(expectedPairs);
      const rel = relationLogits64(weights, h, ranges, widths, expectedPairs);
      rel.forEach((row, p) => row.forEach((v, k) => expect(Math.abs(r.relationProbs[p * 2 + k] - 1 / (1 + Math.exp(-v)))).toBeLessThan(1e-4)));
      pairsChecked += expectedPairs.length;
    });
    expect(pairsChecked).toBeGreaterThan(10);
  });

  it('predictTokens() decodes with the reference rules and does not depend on batching', async () => {
    const preds = await runtime.predictTokens(docs);
    const single = await SpertOnnxRuntime.load(path.join(root, 'onnx'), { threads: 1, batchSize: 1 });
    const one = await Promise.all(docs.map(async (d) => (await single.predictTokens([d]))[0]));
    await single.dispose();
    preds.forEach((p, i) => {
      expect(p.tokens).toEqual(docs[i]);
      expect(p.entities.map(({ type, start, end }) => [type, start, end])).toEqual(one[i].entities.map(({ type, start, end }) => [type, start, end]));
      expect(p.relations.map(({ type, head, tail }) => [type, head, tail])).toEqual(one[i].relations.map(({ type, head, tail }) => [type, head, tail]));
      p.entities.forEach((e) => one[i].entities.find((o) => o.start === e.start && o.end === e.end) && expect(Math.abs(e.score - one[i].entities.find((o) => o.start === e.start && o.end === e.end)!.score)).toBeLessThan(1e-5));
      // Entities sorted by start, relations by head; relation scores pass the threshold.
      expect(p.entities.map((e) => e.start)).toEqual([...p.entities.map((e) => e.start)].sort((a, b) => a - b));
      expect(p.relations.map((r) => r.head)).toEqual([...p.relations.map((r) => r.head)].sort((a, b) => a - b));
      for (const r of p.relations) {
        expect(r.score).toBeGreaterThanOrEqual(0.4);
        expect(r.head).not.toBe(r.tail);
        if (r.type === 'Meets') expect(p.entities[r.head].start).toBeLessThanOrEqual(p.entities[r.tail].start);
      }
    });
    expect(preds[3]).toEqual({ tokens: [], entities: [], relations: [] });
    expect(preds.reduce((a, p) => a + p.relations.length, 0)).toBeGreaterThan(0);
  });

  it('chunking relation pairs (maxPairs) does not change any output', async () => {
    const chunked = await SpertOnnxRuntime.load(path.join(root, 'onnx'), { threads: 1, batchSize: 3, maxPairs: 3 });
    const encoded = runtime.encode(docs);
    const [a, b] = [await scoreDocuments({ runtime: runtime, encodings: encoded }), await scoreDocuments({ runtime: chunked, encodings: encoded })];
    await chunked.dispose();
    expect(a.some((r) => r.pairs.length > 3)).toBe(true);
    a.forEach((r, i) => {
      expect(b[i].pairs).toEqual(r.pairs);
      expect(Array.from(b[i].relationProbs)).toEqual(Array.from(r.relationProbs));
    });
  });

  it('predictText() splits words with character offsets and maps entities to both', async () => {
    const text = 'Alice met Bob at  Acme Corp, in Paris.';
    const [p] = await runtime.predictText([text]);
    expect(p.tokens).toEqual(['Alice', 'met', 'Bob', 'at', 'Acme', 'Corp', ',', 'in', 'Paris', '.']);
    p.charOffsets.forEach(([s, e], i) => expect(text.slice(s, e)).toBe(p.tokens[i]));
    const [byTokens] = await runtime.predictTokens([p.tokens]);
    expect(p.entities.map(({ type, start, end }) => ({ type, start, end }))).toEqual(byTokens.entities.map(({ type, start, end }) => ({ type, start, end })));
    for (const e of p.entities) expect(text.slice(e.charStart, e.charEnd)).toBe(text.slice(p.charOffsets[e.start][0], p.charOffsets[e.end - 1][1]));
  });

  it('predicts a document longer than the encoder in windows by default, rejects it naming it with onTooLong error; empty text gives an empty prediction', async () => {
    const long = Array.from({ length: 70 }, () => 'Alice');
    const [, windowed] = await runtime.predictTokens([['Bob'], long]);
    expect(windowed.tokens).toHaveLength(70);
    expect((windowed as Prediction).windows).toBeGreaterThan(1);
    const strict = await SpertOnnxRuntime.load(path.join(root, 'onnx'), { threads: 1, onTooLong: 'error' });
    try {
      await expect(strict.predictTokens([['Bob'], long])).rejects.toThrow(/document 1/);
    } finally {
      await strict.dispose();
    }
    await expect(runtime.predictText([42 as unknown as string])).rejects.toThrow(/text 0: expected a string/);
    const [empty] = await runtime.predictText(['   ']);
    expect(empty).toEqual({ tokens: [], entities: [], relations: [], charOffsets: [] });
  });

  it('metadata() reports types, settings and the onnxruntime version', () => {
    const m = runtime.metadata();
    expect(m.entityTypes).toEqual(['Per', 'Org']);
    expect(m.relationTypes).toEqual(['Works', 'Meets']);
    expect(m.maxSpanSize).toBe(4);
    expect(m.relFilterThreshold).toBe(0.4);
    expect(m.config.hidden_size).toBe(16);
    expect(m.onnxruntimeVersion).toMatch(/^1\.\d+/);
  });

  it('errors name the problem: no types, wrong types, missing export', async () => {
    const bare = path.join(root, 'bare');
    await mkdir(bare);
    await writeFile(path.join(bare, 'config.json'), JSON.stringify({ ...config, spert_version: '1.1' }));
    await expect(exportSpertOnnx({ modelDir: bare, outDir: path.join(root, 'x'), weights })).rejects.toThrow(/does not store its entity\/relation types/);
    const types3 = { entities: [...[1, 2, 3].map((i) => ({ key: `E${i}`, index: i, short: '', verbose: '' }))], relations: [] };
    await expect(exportSpertOnnx({ modelDir: bare, outDir: path.join(root, 'x'), weights, types: types3 })).rejects.toThrow(/entity_classifier has 3 outputs but the types list 3 entity types/);
    await expect(SpertOnnxRuntime.load(path.join(root, 'nowhere'))).rejects.toThrow(/config\.json: cannot read/);
  });
});
