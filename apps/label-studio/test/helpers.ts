// Test helpers: Label Studio's request fixtures, a tiny random SpERT model built in the test (no
// committed binaries), and a fake Label Studio API on 127.0.0.1 with token auth.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { labelStudioTrainingDocuments } from '@spert/annotations';
import { useBackend } from '@spert/backend';
import type { TypesSchema } from '@spert/core';
import { createScratchModel, saveModel } from '@spert/model';

/** The request bodies of test/fixtures/label-studio-ml in @spert/annotations (their README names the sources). */
export const FIXTURES = path.resolve(__dirname, '../../../packages/annotations/test/fixtures/label-studio-ml');

/** A fixture parsed. */
export function fixture<T = Record<string, unknown>>(name: string): NoInfer<T> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
}

/** The types of the fixtures' labeling config (Label Studio's relation extraction template). */
export const TYPES: TypesSchema = {
  entities: ['Organization', 'Person', 'Datetime'].map((key, i) => ({ key, index: i + 1, short: key, verbose: key })),
  relations: ['org:founded_by', 'org:founded'].map((key, i) => ({ key, index: i + 1, short: key, verbose: key, symmetric: false })),
};

/** Writes a tiny random SpERT model (vocabulary from the fixtures' annotated tasks; spans of up to 4 words, so that its many random entities stay few enough to pair quickly; `maxPositions` wordpieces at most) to `dir`. */
export async function writeTinyModel(dir: string, seed = 7, maxPositions = 512): Promise<void> {
  await useBackend('auto');
  const { documents } = labelStudioTrainingDocuments(fixture<unknown[]>('export.json'), { config: { dataKey: 'text' }, types: TYPES, source: 'export.json' });
  const model = createScratchModel({ documents, types: TYPES, hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, maxPositions, seed, settings: { maxSpanSize: 4 } });
  try {
    await saveModel(model, dir);
  } finally {
    model.dispose();
  }
}

/** A fake Label Studio: the project export endpoint behind `Authorization: Token <token>`. */
export interface FakeLabelStudio {
  url: string;
  token: string;
  /** Export requests answered (with the right token). */
  exports: number;
  /** Requests refused for a missing or wrong token. */
  refused: number;
  /** The tasks the export answers (change it to simulate new annotations). */
  tasks: unknown[];
  close(): Promise<void>;
}

/** Starts a fake Label Studio on 127.0.0.1 answering `GET /api/projects/<id>/export?exportType=JSON` for `projectId`. */
export async function startFakeLabelStudio(o: { projectId: number; token: string; tasks: unknown[] }): Promise<FakeLabelStudio> {
  const fake = { exports: 0, refused: 0, tasks: o.tasks };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method !== 'GET' || url.pathname !== `/api/projects/${o.projectId}/export` || url.searchParams.get('exportType') !== 'JSON') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not found."}');
      return;
    }
    if (req.headers.authorization !== `Token ${o.token}`) {
      fake.refused += 1;
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"detail":"Authentication credentials were not provided."}');
      return;
    }
    fake.exports += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fake.tasks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    token: o.token,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Polls until `cond` holds (fails naming `what` after `ms`). */
export async function until(what: string, cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
