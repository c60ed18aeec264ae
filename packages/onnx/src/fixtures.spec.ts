// Parity with a SpERT model trained by the reference code (spert-scratch-conll04): probabilities
// and predictions.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseTypes, type Document } from '@spert/core';
import { sharedPath, type ExpectedSpertDocument } from '../../../tools/testing/shared';
import { exportSpertOnnx } from './export-model';
import { scoreDocuments } from '@spert/pipeline';
import { SpertOnnxRuntime } from './runtime';

const json = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

// tiny-bert's encoder.onnx parity runs in the BERT family's conformance suite (families/bert/encoder-graph.spec.ts).

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
