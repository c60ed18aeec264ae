import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SpertOnnxRuntime } from '@spert/onnx';
import { exportRandomModel } from '../test/export-random-model';
import type { ServeApp } from './app';
import { createServer } from './create-server';
import type { DocumentOut } from './types';

// spert-serve --workers: micro-batches predicted on worker threads, each with its own session.
// Every answer must equal what one runtime in this thread predicts for the same words.
const workerFile = path.join(__dirname, 'predict-worker.ts');
let root: string;
let modelDir: string;
let direct: SpertOnnxRuntime;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'spert-serve-pool-'));
  modelDir = await exportRandomModel(root);
  direct = await SpertOnnxRuntime.load(modelDir, { threads: 1, batchSize: 1 });
}, 60_000);

afterAll(async () => {
  await direct?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

async function post(url: string, documents: unknown[]): Promise<{ status: number; body: { documents: DocumentOut[] } & Record<string, unknown> }> {
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documents }) });
  return { status: res.status, body: (await res.json()) as { documents: DocumentOut[] } & Record<string, unknown> };
}

describe('spert-serve with a pool of worker-thread predictors', () => {
  let serve: ServeApp | undefined;
  afterEach(async () => {
    await serve?.app.close();
    serve = undefined;
  });

  it('answers concurrent requests exactly as one runtime does (two threads, micro-batches of at most two documents)', async () => {
    serve = await createServer({ modelDir, threads: 1, workers: 2, workerFile, batch: { maxBatch: 2, maxWaitMs: 5 } });
    const url = await serve.app.listen({ host: '127.0.0.1', port: 0 });
    await serve.whenReady;
    expect(serve.batch.concurrency).toBe(2);
    const sentences = [
      'John works for Acme Corp .',
      'Mary met Bob in Paris .',
      'Bob works for the Corp in Berlin .',
      'Smith met Mary , John and Bob .',
      'Acme Corp in Paris .',
      'the John Smith works in Berlin .',
      'Mary works for Bob .',
      'John met Smith in Paris , Berlin .',
    ];
    const answers = await Promise.all(sentences.map((s) => post(url, [{ tokens: s.split(' ') }])));
    const want = await direct.predictTokens(sentences.map((s) => s.split(' ')));
    let found = 0;
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      const got = a.body.documents[0] as DocumentOut;
      const w = want[i]!;
      expect(got.entities.map((e) => [e.type, e.start, e.end])).toEqual(w.entities.map((e) => [e.type, e.start, e.end]));
      got.entities.forEach((e, k) => expect(e.score).toBeCloseTo(w.entities[k]?.score ?? NaN, 5));
      expect(got.relations.map((r) => [r.type, r.head, r.tail])).toEqual(w.relations.map((r) => [r.type, r.head, r.tail]));
      got.relations.forEach((r, k) => expect(r.score).toBeCloseTo(w.relations[k]?.score ?? NaN, 5));
      found += got.entities.length;
    });
    // The random model must predict something for the comparison to mean anything.
    expect(found).toBeGreaterThan(0);
    // maxBatch 2 and eight requests: at least four model calls, spread over the two threads.
    expect(serve.batcher.stats.calls).toBeGreaterThanOrEqual(4);
    expect(serve.batcher.stats.largest).toBeLessThanOrEqual(2);
    const meta = (await (await fetch(`${url}/metadata`)).json()) as { entityTypes: string[]; batching: Record<string, number>; versions: Record<string, string> };
    expect(meta.entityTypes).toEqual(['Peop', 'Org', 'Loc']);
    expect(meta.batching).toMatchObject({ maxBatch: 2, concurrency: 2 });
    expect(meta.versions.onnxruntime).toMatch(/^\d+\.\d+/);
  }, 60_000);

  it('keeps a worker\'s error fields across the thread boundary: a too-long document is still a 422 naming it', async () => {
    serve = await createServer({ modelDir, threads: 1, workers: 2, workerFile, onTooLong: 'error', batch: { maxBatch: 8, maxWaitMs: 10 } });
    const url = await serve.app.listen({ host: '127.0.0.1', port: 0 });
    await serve.whenReady;
    const [l, f] = await Promise.all([post(url, [{ text: 'ok .' }, { tokens: Array(80).fill('Bob') }]), post(url, [{ tokens: ['Mary', 'met', 'Bob'] }])]);
    expect(l.status).toBe(422);
    expect(l.body).toMatchObject({ code: 'DOCUMENT_TOO_LONG', message: 'documents[1]: 80 words give 82 wordpieces, the model takes at most 64; split the document' });
    expect(f.status).toBe(200);
  }, 60_000);

  it('says what is missing: workers without a worker module, a bad worker count, a model the threads cannot open', async () => {
    await expect(createServer({ modelDir, workers: 2 })).rejects.toThrow('worker threads need the worker module');
    await expect(createServer({ modelDir, workers: 0 })).rejects.toThrow('workers: expected an integer >= 1, got 0');
    await expect(createServer({ modelDir: path.join(root, 'missing'), workers: 2, workerFile })).rejects.toThrow(/missing/);
  }, 60_000);
});
