// One word splitter everywhere: the service (ONNX), `spert-eval predict` (TF.js, run as a
// command) and the library (TF.js Predictor) give the same words, offsets, entities and
// relations for the same raw texts, odd ones included.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { useBackend } from '@spert/backend';
import { readTypes, type Prediction, type PredictionRecord } from '@spert/core';
import { SpertModel } from '@spert/model';
import { exportSpertOnnx } from '@spert/onnx';
import { repoRoot, sharedPath } from '../../../tools/testing/shared';
import { createServer } from './create-server';

const TEXTS = [
  "Mr. Smith doesn't work for the U.S. Army, Dr. Jones said.",
  'See https://example.com/a?b=c or mail jane.doe@example.org before 5 p.m.',
  'Revenue rose 1,234,567.89 dollars (12.5%) in Q3 2024 for Acme Corp.',
  'Emma 👩‍💻 met Bob 🎉 in Paris, France.',
  '東京 is in Japan; 北京 is in China.',
  'שלום means peace; مرحبا means hello.',
  'Zero\u200bwidth and\u200d joiners \u200e marks \ufeff here.',
  '',
];

interface Flat {
  tokens: string[];
  offsets?: Array<[number, number]>;
  entities: Array<{ type: string; start: number; end: number; charStart?: number; charEnd?: number; score: number }>;
  relations: Array<{ type: string; head: number; tail: number; score: number }>;
}

const flat = (d: Flat): Flat => ({
  tokens: d.tokens,
  offsets: d.offsets,
  entities: d.entities.map(({ type, start, end, charStart, charEnd, score }) => ({ type, start, end, charStart, charEnd, score })),
  relations: d.relations.map(({ type, head, tail, score }) => ({ type, head, tail, score })),
});

function expectSame(a: Flat, b: Flat, where: string): void {
  const strip = (d: Flat) => JSON.stringify({ ...d, entities: d.entities.map((e) => ({ ...e, score: 0 })), relations: d.relations.map((r) => ({ ...r, score: 0 })) });
  expect(`${where}: ${strip(a)}`).toBe(`${where}: ${strip(b)}`);
  [...a.entities.map((e, i) => [e.score, b.entities[i].score]), ...a.relations.map((r, i) => [r.score, b.relations[i].score])].forEach(([x, y]) => expect(Math.abs(x - y)).toBeLessThan(1e-4));
}

describe('the service, spert-eval predict and the library split and predict raw text the same way', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-surfaces-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('identical words, offsets, entities and relations on odd texts', async () => {
    const fixture = sharedPath('fixtures', 'spert-scratch-conll04');
    const typesPath = sharedPath('datasets', 'conll04', 'conll04_types.json');
    const types = await readTypes({ path: typesPath });

    await useBackend('wasm');
    const model = await SpertModel.load({ dir: fixture, types });
    let library: Prediction[];
    try {
      library = await model.asPredictor().predict(TEXTS.map((text) => ({ kind: 'text', text })));
    } finally {
      model.dispose();
    }

    await writeFile(path.join(dir, 'in.json'), JSON.stringify(TEXTS));
    await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), path.join(repoRoot, 'apps/evaluate/src/main.ts'), 'predict', '--model', fixture, '--types', typesPath, '--input', path.join(dir, 'in.json'), '--output', path.join(dir, 'out.json'), '--backend', 'wasm'],
      { cwd: repoRoot },
    );
    const cli = JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8')) as PredictionRecord[];

    await exportSpertOnnx({ modelDir: fixture, outDir: path.join(dir, 'onnx'), types });
    const serve = await createServer({ modelDir: path.join(dir, 'onnx'), threads: 1 });
    let service: PredictionRecord[];
    try {
      const url = await serve.app.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documents: TEXTS.map((text) => ({ text })) }) });
      expect(res.status).toBe(200);
      service = ((await res.json()) as { documents: PredictionRecord[] }).documents;
    } finally {
      await serve.app.close();
    }

    let entities = 0;
    TEXTS.forEach((text, i) => {
      const lib = flat({ ...library[i], offsets: library[i].charOffsets });
      expectSame(flat(cli[i]), lib, `spert-eval predict, text ${i}`);
      expectSame(flat(service[i]), lib, `service, text ${i}`);
      lib.offsets?.forEach(([s, e], w) => expect(text.slice(s, e)).toBe(lib.tokens[w]));
      // Both write the one prediction record: the covered texts agree too.
      expect(service[i].entities.map((e) => e.text)).toEqual(cli[i].entities.map((e) => e.text));
      entities += lib.entities.length;
    });
    expect(entities).toBeGreaterThan(5);
    expect(library[0].tokens).toEqual(['Mr.', 'Smith', 'does', "n't", 'work', 'for', 'the', 'U.S.', 'Army', ',', 'Dr.', 'Jones', 'said', '.']);
  }, 300_000);
});
