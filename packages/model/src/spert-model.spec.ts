import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDataset, readTypes, type Document, type TypesSchema } from '@spert/core';
import { useBackend } from '@spert/backend';
import { maxAbsDiff } from '../../../tools/testing/float64';
import { sharedPath, type ExpectedSpertDocument } from '../../../tools/testing/shared';
import { SpertModel } from './spert-model';
import { saveModel } from './save-model';

const fixtureDir = () => sharedPath('fixtures', 'spert-scratch-conll04');
const conll = (f: string) => sharedPath('datasets', 'conll04', f);

const strip = (d: Document) => ({
  tokens: d.tokens,
  entities: d.entities.map(({ type, start, end }) => ({ type, start, end })),
  relations: d.relations.map(({ type, head, tail }) => ({ type, head, tail })),
});

describe('SpertModel on the reference-trained CoNLL04 fixture', () => {
  let model: SpertModel;
  let types: TypesSchema;

  beforeAll(async () => {
    await useBackend('wasm');
    types = await readTypes({ path: conll('conll04_types.json') });
    model = await SpertModel.load({ dir: fixtureDir(), types });
  });
  afterAll(() => model?.dispose());

  it('reproduces the reference probabilities of expected_outputs.json within 1e-4', async () => {
    const expected = JSON.parse(await readFile(path.join(fixtureDir(), 'expected_outputs.json'), 'utf8')) as { documents: ExpectedSpertDocument[] };
    for (const [i, doc] of expected.documents.entries()) {
      expect(model.encodeDocuments([doc.tokens])[0].inputIds).toEqual(doc.input_ids);
      const [scores] = await model.score([doc.tokens]);
      expect(scores.spans).toEqual(doc.candidate_spans);
      expect(maxAbsDiff(scores.entityProbs, doc.entity_probs.flat())).toBeLessThan(1e-4);
      expect(scores.pairs).toEqual(doc.relation_candidates);
      expect(maxAbsDiff(scores.relationProbs, doc.relation_probs.flat())).toBeLessThan(1e-4);
      if (i === 0) expect(doc.relation_candidates.length).toBeGreaterThan(0);
    }
  });

  it('predicts all 288 CoNLL04 test documents exactly as predictions_test.json (batched)', async () => {
    const test = await readDataset({ path: conll('conll04_test.json'), types });
    const expected = JSON.parse(await readFile(path.join(fixtureDir(), 'predictions_test.json'), 'utf8')) as Document[];
    const predicted = await model.predict(test.documents.map((d) => d.tokens), { batchSize: 16 });
    expect(predicted).toHaveLength(288);
    let mismatches = 0;
    predicted.forEach((p, i) => {
      if (JSON.stringify(strip(p)) !== JSON.stringify(strip(expected[i]))) mismatches++;
    });
    expect(mismatches).toBe(0);
    for (const p of predicted) for (const e of p.entities) expect(e.score).toBeGreaterThan(0);
  });

  it('saves a directory that loads back to identical predictions, with its types stored', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'spert-model-'));
    try {
      await saveModel(model, path.join(dir, 'm'));
      const again = await SpertModel.load({ dir: path.join(dir, 'm') });
      try {
        const docs = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 12).map((d) => d.tokens);
        expect(await again.predict(docs)).toEqual(await model.predict(docs));
        expect(again.settings.types).toEqual(types);
      } finally {
        again.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses the reference directory without a types file, and a types file that does not match', async () => {
    await expect(SpertModel.load({ dir: fixtureDir() })).rejects.toThrow(/types/);
    const wrong: TypesSchema = { entities: types.entities.slice(0, 3), relations: types.relations };
    await expect(SpertModel.load({ dir: fixtureDir(), types: wrong })).rejects.toThrow(/entity_classifier.weight has 5 rows/);
  });

  it('an empty document predicts nothing; a too-long one fails before any batch runs with onTooLong error, naming file and index', async () => {
    const short = ['John', 'Smith', 'lives', 'in', 'Paris', '.'];
    const [empty, normal] = await model.predict([[], short]);
    expect(empty).toEqual({ tokens: [], entities: [], relations: [] });
    expect(normal.entities.length).toBeGreaterThan(0);

    const long = Array.from({ length: 600 }, (_, i) => `w${i}`);
    let progressCalls = 0;
    await expect(model.predict([short, short, long], { batchSize: 1, source: 'docs.json', onTooLong: 'error', onProgress: () => progressCalls++ })).rejects.toThrow(
      /^docs\.json: document 2 is too long for the encoder: 600 words give \d+ wordpieces .* maximum is 512/,
    );
    expect(progressCalls).toBe(0);
    // The documented alternative: drop trailing words; entities stay inside the kept words.
    const [truncated] = await model.predict([long], { onTooLong: 'truncate' });
    expect(truncated.tokens).toHaveLength(600);
    const kept = model.encodeDocuments([long], { onTooLong: 'truncate' })[0];
    for (const e of truncated.entities) expect(e.end).toBeLessThanOrEqual(600 - kept.droppedWords);
  });
});
