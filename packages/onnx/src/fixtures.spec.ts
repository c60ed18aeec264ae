// Parity with the reference fixtures: Hugging Face BERT hidden states (tiny-bert) and a SpERT
// model trained by the reference code (spert-scratch-conll04): probabilities and predictions.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseTypes, type Document } from '@spert/core';
import { parseBertConfig, readPytorchBin, readSafetensors } from '@spert/checkpoint';
import * as ort from 'onnxruntime-node';
import { sharedPath, type ExpectedSpertDocument } from '../../../tools/testing/shared';
import { buildEncoderGraph } from './export-encoder';
import { exportSpertOnnx } from './export-model';
import { scoreDocuments } from '@spert/pipeline';
import { SpertOnnxRuntime } from './runtime';

const json = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

describe('tiny-bert fixture', () => {
  const dir = sharedPath('fixtures', 'tiny-bert');
  const expected = json<{ input_ids: number[][]; attention_mask: number[][]; token_type_ids: number[][]; last_hidden_state: number[][][] }>(
    path.join(dir, 'expected_hidden_states.json'),
  );
  const config = parseBertConfig(readFileSync(path.join(dir, 'config.json'), 'utf8'));
  const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);

  it.each([
    ['model.safetensors', () => readSafetensors(new Uint8Array(readFileSync(path.join(dir, 'model.safetensors')))).tensors],
    ['pytorch_model.bin (legacy gamma/beta names)', () => readPytorchBin(new Uint8Array(readFileSync(path.join(dir, 'pytorch_model.bin'))))],
  ])('encoder.onnx from %s reproduces the Hugging Face hidden states within 1e-4', async (_name, load) => {
    const session = await ort.InferenceSession.create(buildEncoderGraph({ config, weights: load() }));
    const out = await session.run({
      input_ids: i64(expected.input_ids),
      attention_mask: i64(expected.attention_mask),
      token_type_ids: i64(expected.token_type_ids),
    });
    const [B, T, H] = out.last_hidden_state.dims;
    const data = out.last_hidden_state.data as Float32Array;
    let worst = 0;
    let compared = 0;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        if (!expected.attention_mask[b][t]) continue;
        for (let h = 0; h < H; h++) worst = Math.max(worst, Math.abs(data[(b * T + t) * H + h] - expected.last_hidden_state[b][t][h]));
        compared++;
      }
    expect(compared).toBe(expected.attention_mask.flat().filter(Boolean).length);
    expect(worst).toBeLessThan(1e-4);
    await session.release();
  });
});

describe('spert-scratch-conll04 fixture (a model trained by the reference)', () => {
  const modelDir = sharedPath('fixtures', 'spert-scratch-conll04');
  const typesFile = sharedPath('datasets', 'conll04', 'conll04_types.json');
  const testFile = sharedPath('datasets', 'conll04', 'conll04_test.json');
  let root: string;
  let runtime: SpertOnnxRuntime;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-onnx-scratch-'));
    const types = parseTypes(JSON.parse(await readFile(typesFile, 'utf8')), { source: typesFile });
    await exportSpertOnnx({ modelDir, outDir: root, types });
    // The exported config carries the types: no types option needed from here on.
    runtime = await SpertOnnxRuntime.load(root, { batchSize: 16 });
  });

  afterAll(async () => {
    await runtime?.dispose();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('entity and relation probabilities of the first 8 test documents match expected_outputs.json within 1e-4', async () => {
    const expected = json<{ entity_types: string[]; relation_types: string[]; documents: ExpectedSpertDocument[] }>(path.join(modelDir, 'expected_outputs.json'));
    expect(['None', ...runtime.metadata().entityTypes]).toEqual(expected.entity_types);
    expect(runtime.metadata().relationTypes).toEqual(expected.relation_types);
    const encoded = runtime.encode(expected.documents.map((d) => d.tokens));
    const raw = await scoreDocuments({ runtime: runtime, encodings: encoded });
    let worstEntity = 0;
    let worstRelation = 0;
    let relations = 0;
    raw.forEach((r, i) => {
      const e = expected.documents[i];
      expect(encoded[i].inputIds).toEqual(e.input_ids);
      expect(r.spans).toEqual(e.candidate_spans);
      const C = e.entity_probs[0].length;
      e.entity_probs.forEach((row, s) => row.forEach((p, c) => (worstEntity = Math.max(worstEntity, Math.abs(r.entityProbs[s * C + c] - p)))));
      expect(r.pairs).toEqual(e.relation_candidates);
      const R = expected.relation_types.length;
      e.relation_probs.forEach((row, p) => row.forEach((v, k) => (worstRelation = Math.max(worstRelation, Math.abs(r.relationProbs[p * R + k] - v)))));
      relations += e.relation_candidates.length;
    });
    expect(worstEntity).toBeLessThan(1e-4);
    expect(worstRelation).toBeLessThan(1e-4);
    expect(relations).toBeGreaterThan(0);
  });

  it('predictions on all 288 CoNLL04 test documents equal predictions_test.json', async () => {
    const test = json<Document[]>(testFile);
    const reference = json<Document[]>(path.join(modelDir, 'predictions_test.json'));
    expect(test).toHaveLength(288);
    const preds = await runtime.predictTokens(test.map((d) => d.tokens));
    const strip = (d: Document) => ({
      tokens: d.tokens,
      entities: d.entities.map(({ type, start, end }) => ({ type, start, end })),
      relations: d.relations.map(({ type, head, tail }) => ({ type, head, tail })),
    });
    const mismatches = preds.map((_, i) => i).filter((i) => JSON.stringify(strip(preds[i])) !== JSON.stringify(strip(reference[i])));
    expect(mismatches).toEqual([]);
    expect(preds.reduce((a, p) => a + p.relations.length, 0)).toBe(reference.reduce((a, d) => a + d.relations.length, 0));
  });
});
