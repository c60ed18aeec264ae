import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PREDICTION_RECORD_SCHEMA, readDataset, readTypes, toPredictionRecord, type PredictionRecord, type TypesSchema } from '@spert/core';
import { exportSpertOnnx } from '@spert/onnx';
import Fastify, { type FastifyInstance } from 'fastify';
import { sharedPath } from '../../../tools/testing/shared';
import type { ServeApp } from './app';
import { createServer } from './create-server';

// The published schema checked by the JSON Schema validator the service already runs (fastify's
// Ajv), strictly: no type coercion, no removal of unknown fields, no defaults.
async function schemaValidator(): Promise<{ check: (record: unknown) => Promise<string | undefined>; close: () => Promise<void> }> {
  const validator: FastifyInstance = Fastify({ ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: true } } });
  validator.post('/record', { schema: { body: PREDICTION_RECORD_SCHEMA } }, async () => ({ valid: true }));
  await validator.ready();
  const check = async (record: unknown) => {
    const res = await validator.inject({ method: 'POST', url: '/record', payload: record as object });
    return res.statusCode === 200 ? undefined : (res.json() as { message: string }).message;
  };
  return { check, close: () => validator.close() };
}

let root: string;
let serve: ServeApp;
let base: string;
let types: TypesSchema;
let validator: Awaited<ReturnType<typeof schemaValidator>>;
// Real HTTP, as clients use it (the service tracks sockets, which inject's fake ones are not).
async function predictOver(url: string, documents: unknown[]): Promise<PredictionRecord[]> {
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documents }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { documents: PredictionRecord[] }).documents;
}

const words = async () => (await readDataset({ path: sharedPath('datasets/conll04/conll04_dev.json'), types })).documents.slice(0, 40).map((d) => d.tokens);

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'spert-record-'));
  types = await readTypes({ path: sharedPath('datasets/conll04/conll04_types.json') });
  await exportSpertOnnx({ modelDir: sharedPath('fixtures/spert-scratch-conll04'), outDir: path.join(root, 'onnx'), types });
  serve = await createServer({ modelDir: path.join(root, 'onnx'), threads: 1 });
  base = await serve.app.listen({ host: '127.0.0.1', port: 0 });
  validator = await schemaValidator();
}, 120_000);

afterAll(async () => {
  await serve?.app.close();
  await validator?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the prediction record and its published JSON Schema', () => {
  it('every record the service answers for CoNLL04 documents (words, raw text, one longer than the encoder) is valid', async () => {
    const docs = await words();
    const long = docs.flat().slice(0, 700);
    const documents = [...docs.map((tokens) => ({ tokens })), ...docs.map((tokens) => ({ text: tokens.join(' ') })), long];
    // Within the service's limits: it answers 422 past 64 documents or 256 words.
    const answered = [...(await predictOver(base, documents.slice(0, 40))), ...(await predictOver(base, documents.slice(40, 80)))];
    const big = await createServer({ modelDir: path.join(root, 'onnx'), threads: 1, limits: { words: 1000, chars: 20_000 } });
    try {
      answered.push(...(await predictOver(await big.app.listen({ host: '127.0.0.1', port: 0 }), [long])));
    } finally {
      await big.app.close();
    }
    for (const [i, record] of answered.entries()) expect({ i, problem: await validator.check(record) }).toEqual({ i, problem: undefined });
    // The trained fixture finds entities and relations here: the nested schemas are exercised too.
    expect(answered.reduce((n, r) => n + r.entities.length, 0)).toBeGreaterThan(50);
    expect(answered.reduce((n, r) => n + r.relations.length, 0)).toBeGreaterThan(5);
    expect(answered.slice(40, 80).every((r) => r.offsets?.length === r.tokens.length && r.entities.every((e) => e.charStart !== undefined))).toBe(true);
    expect(answered[80]!.windows).toBeGreaterThan(1);
  }, 300_000);

  it('records with ids (batch prediction) are valid; the schema refuses what the record is not', async () => {
    const [tokens] = await words();
    const record = toPredictionRecord(
      { tokens: tokens!, entities: [{ type: 'Peop', start: 0, end: 1, score: 0.5 }], relations: [{ type: 'Kill', head: 0, tail: 0, score: 0.25 }] },
      { input: { kind: 'tokens', tokens: tokens! }, id: 'line-1' },
    );
    expect(await validator.check(record)).toBeUndefined();
    expect(await validator.check({ ...record, id: 3 })).toBeUndefined();
    expect(await validator.check({ ...record, charOffsets: [[0, 4]] })).toMatch(/must NOT have additional properties/);
    expect(await validator.check({ ...record, entities: [{ type: 'Peop', start: 0, end: 1, score: 0.5 }] })).toMatch(/entities\/0 must have required property 'text'/);
    expect(await validator.check({ ...record, relations: [{ type: 'Kill', head: 0, tail: '1', score: 2 }] })).toMatch(/relations\/0\/tail must be integer/);
    expect(await validator.check({ ...record, offsets: [[0, 4, 9]] })).toMatch(/offsets\/0 must NOT have more than 2 items/);
  });

  it("the OpenAPI description's /predict response documents are that schema", async () => {
    const api = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, { post: { responses: Record<string, { content: Record<string, { schema: { properties: { documents: { items: unknown; description: string } } } }> }> } }>;
    };
    const documents = api.paths['/predict']!.post.responses['200']!.content['application/json']!.schema.properties.documents;
    const { $schema: _draft, $id, ...record } = PREDICTION_RECORD_SCHEMA;
    expect(documents.items).toEqual(record);
    expect(documents.description).toContain($id);
  });
});
