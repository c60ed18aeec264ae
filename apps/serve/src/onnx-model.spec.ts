import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { PredictionRecord } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import { exportRandomModel } from '../../../tools/testing/export-random-model';
import type { ServeApp } from './app';
import { createServer } from './create-server';

// End to end over a real exported model: the HTTP answers must equal what the runtime itself
// predicts for the same words, whatever batch the micro-batcher put them in.
let root: string;
let modelDir: string;
let serve: ServeApp;
let base: string;
let direct: SpertOnnxRuntime;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'spert-serve-model-'));
  modelDir = await exportRandomModel(root);
  serve = await createServer({ modelDir, threads: 1, batch: { maxBatch: 8, maxWaitMs: 10 } });
  await serve.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(serve.app.server.address() as AddressInfo).port}`;
  direct = await SpertOnnxRuntime.load(modelDir, { threads: 1, batchSize: 1 });
}, 60_000);

afterAll(async () => {
  await serve?.app.close();
  await direct?.dispose();
  if (root) await rm(root, { recursive: true, force: true });
});

async function postTo(url: string, documents: unknown[]): Promise<{ status: number; body: { documents: PredictionRecord[] } & Record<string, unknown> }> {
  const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documents }) });
  return { status: res.status, body: (await res.json()) as { documents: PredictionRecord[] } & Record<string, unknown> };
}

const predict = (documents: unknown[]) => postTo(base, documents);

function expectSamePrediction(got: PredictionRecord, want: { entities: Array<{ type: string; start: number; end: number; score: number }>; relations: Array<{ type: string; head: number; tail: number; score: number }> }): void {
  expect(got.entities.map((e) => [e.type, e.start, e.end])).toEqual(want.entities.map((e) => [e.type, e.start, e.end]));
  got.entities.forEach((e, i) => expect(e.score).toBeCloseTo(want.entities[i]?.score ?? NaN, 4));
  expect(got.relations.map((r) => [r.type, r.head, r.tail])).toEqual(want.relations.map((r) => [r.type, r.head, r.tail]));
  got.relations.forEach((r, i) => expect(r.score).toBeCloseTo(want.relations[i]?.score ?? NaN, 4));
}

describe('spert-serve over a real exported ONNX model', () => {
  it('answers text and token documents exactly as the runtime predicts them, with consistent offsets', async () => {
    const text = 'John Smith works for Acme Corp in Berlin.';
    const tokens = ['Mary', 'met', 'Bob', 'in', 'Paris', '.'];
    const { status, body } = await predict([{ text }, { tokens }]);
    expect(status).toBe(200);
    const [t, k] = body.documents as [PredictionRecord, PredictionRecord];
    expect(t.tokens).toEqual(['John', 'Smith', 'works', 'for', 'Acme', 'Corp', 'in', 'Berlin', '.']);
    const [wantT, wantK] = await direct.predictTokens([t.tokens, tokens]);
    expectSamePrediction(t, wantT!);
    expectSamePrediction(k, wantK!);
    // The random model must actually produce something for this test to mean anything.
    expect(t.entities.length + k.entities.length).toBeGreaterThan(0);
    for (const e of t.entities) {
      expect(text.slice(e.charStart, e.charEnd)).toBe(e.text);
      expect(e.text.replace(/\s+/g, '')).toBe(t.tokens.slice(e.start, e.end).join(''));
      expect(e.score).toBeGreaterThan(0);
      expect(e.score).toBeLessThanOrEqual(1);
    }
    for (const r of [...t.relations, ...k.relations]) expect(['Work_For', 'Kill']).toContain(r.type);
  });

  it('entitiesMode given: entities come back verbatim with relations among them as the runtime scores them; relations: false scores none; bad entities answer 400', async () => {
    const send = async (body: unknown) => {
      const res = await fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { documents: PredictionRecord[]; message?: string } };
    };
    const text = 'John Smith works for Acme Corp in Berlin.';
    const entities = [{ type: 'Org', charStart: 21, charEnd: 30 }, { type: 'Peop', charStart: 0, charEnd: 10 }, { type: 'Loc', charStart: 34, charEnd: 40 }];
    const tokens = ['Mary', 'met', 'Bob', 'in', 'Paris', '.'];
    const wordEntities = [{ type: 'Peop', start: 0, end: 1 }, { type: 'Peop', start: 2, end: 3 }];
    const { status, body } = await send({ entitiesMode: 'given', documents: [{ text, entities }, { tokens, entities: wordEntities }] });
    expect(status).toBe(200);
    const [t, k] = body.documents as [PredictionRecord, PredictionRecord];
    expect(t.entities.map((e) => [e.type, e.charStart, e.charEnd, e.text])).toEqual([['Org', 21, 30, 'Acme Corp'], ['Peop', 0, 10, 'John Smith'], ['Loc', 34, 40, 'Berlin']]);
    expect(k.entities.map((e) => [e.type, e.start, e.end])).toEqual([['Peop', 0, 1], ['Peop', 2, 3]]);
    const want = await direct.predict([{ kind: 'text', text, entities }, { kind: 'tokens', tokens, entities: wordEntities }]);
    expectSamePrediction(t, want[0]!);
    expectSamePrediction(k, want[1]!);
    // Without entitiesMode, "entities" in a document is ignored: the model predicts its own.
    const plain = await send({ documents: [{ tokens, entities: wordEntities }] });
    expectSamePrediction(plain.body.documents[0]!, (await direct.predictTokens([tokens]))[0]!);
    const none = await send({ relations: false, documents: [{ text }] });
    expect(none.body.documents[0]!.relations).toEqual([]);
    const bad = await send({ entitiesMode: 'given', documents: [{ tokens, entities: [{ type: 'Peop', start: 4, end: 9 }] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe("documents[0].entities[0].end: 9 is past the document's 6 words");
    const badMode = await send({ entitiesMode: 'all', documents: [{ tokens }] });
    expect(badMode.status).toBe(400);
  });

  it('batches concurrent requests into fewer runtime calls without changing any answer', async () => {
    const sentences = [
      'John works for Acme Corp .',
      'Mary met Bob in Paris .',
      'Bob works for the Corp in Berlin .',
      'Smith met Mary , John and Bob .',
      'Acme Corp in Paris .',
      'the John Smith works in Berlin .',
    ];
    const before = serve.batcher.stats.calls;
    const answers = await Promise.all(sentences.map((s) => predict([{ tokens: s.split(' ') }])));
    const calls = serve.batcher.stats.calls - before;
    expect(calls).toBeLessThan(sentences.length);
    const want = await direct.predictTokens(sentences.map((s) => s.split(' ')));
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expectSamePrediction(a.body.documents[0] as PredictionRecord, want[i]!);
    });
  });

  it('handles unknown words, emoji and odd unicode through the real tokenizer', async () => {
    const { status, body } = await predict([{ text: 'Zoë 👩‍💻 met\u200b Bob in تل אביב 東京 \ud800 .' }, { tokens: ['\udfff', 'Bob'] }]);
    expect(status).toBe(200);
    expect(body.documents[0]?.tokens).toEqual(['Zoë', '👩‍💻', 'met', 'Bob', 'in', 'تل', 'אביב', '東京', '\ud800', '.']);
    expect(body.documents[1]?.tokens).toEqual(['\udfff', 'Bob']);
  });

  it('predicts a document longer than the model takes in windows, as the library does', async () => {
    const long = Array.from({ length: 80 }, (_, i) => (i % 7 === 0 ? 'Bob' : i % 5 === 0 ? 'Mary' : 'met'));
    const { status, body } = await predict([{ tokens: long }]);
    expect(status).toBe(200);
    const [want] = await direct.predictTokens([long]);
    expectSamePrediction(body.documents[0] as PredictionRecord, want!);
    expect((want as { windows?: number }).windows).toBeGreaterThan(1);
  });

  it.each([1, 2])('with onTooLong error and %i worker thread(s), answers a document longer than the model takes with 422 naming it and keeps serving its batch neighbours', async (workers) => {
    // With 2, the error crosses the thread boundary as SpertError data (code, details with the document index).
    const strict = await createServer({ modelDir, threads: 1, workers, workerFile: path.join(__dirname, 'predict-worker.ts'), onTooLong: 'error', batch: { maxBatch: 8, maxWaitMs: 10 } });
    const url = await strict.app.listen({ host: '127.0.0.1', port: 0 });
    await strict.whenReady;
    const long = postTo(url, [{ text: 'ok .' }, { tokens: Array(80).fill('Bob') }]);
    const fine = postTo(url, [{ tokens: ['Mary', 'met', 'Bob'] }]);
    const [l, f] = await Promise.all([long, fine]).finally(() => strict.app.close());
    expect(l.status).toBe(422);
    expect(l.body).toMatchObject({ code: 'DOCUMENT_TOO_LONG', message: 'documents[1]: 80 words give 82 wordpieces, the model takes at most 64; split the document' });
    expect(l.body).toMatchObject({ details: { documentIndex: 1, wordCount: 80, wordpieceLength: 82, limit: 64 } });
    expect(f.status).toBe(200);
  }, 60_000);

  it('reports the model, its types and the onnxruntime version in /metadata', async () => {
    const meta = (await (await fetch(`${base}/metadata`)).json()) as Record<string, unknown>;
    expect(meta.entityTypes).toEqual(['Peop', 'Org', 'Loc']);
    expect(meta.relationTypes).toEqual(['Work_For', 'Kill']);
    expect(meta.model).toMatchObject({ model: modelDir, maxSpanSize: 4 });
    expect((meta.versions as Record<string, string>).onnxruntime).toMatch(/^\d+\.\d+/);
  });
});

// spert-serve --workers: micro-batches predicted on worker threads, each with its own session.
// Every answer must equal what one runtime in this thread predicts for the same words.
describe('spert-serve with a pool of worker-thread predictors', () => {
  const workerFile = path.join(__dirname, 'predict-worker.ts');
  let pooled: ServeApp | undefined;
  afterEach(async () => {
    await pooled?.app.close();
    pooled = undefined;
  });

  it('answers concurrent requests exactly as one runtime does (two threads, micro-batches of at most two documents)', async () => {
    pooled = await createServer({ modelDir, threads: 1, workers: 2, workerFile, batch: { maxBatch: 2, maxWaitMs: 5 } });
    const url = await pooled.app.listen({ host: '127.0.0.1', port: 0 });
    await pooled.whenReady;
    expect(pooled.batch.concurrency).toBe(2);
    const sentences = ['John works for Acme Corp .', 'Mary met Bob in Paris .', 'Bob works for the Corp in Berlin .', 'Smith met Mary , John and Bob .', 'Acme Corp in Paris .', 'the John Smith works in Berlin .', 'Mary works for Bob .', 'John met Smith in Paris , Berlin .'];
    const answers = await Promise.all(sentences.map((s) => postTo(url, [{ tokens: s.split(' ') }])));
    const want = await direct.predictTokens(sentences.map((s) => s.split(' ')));
    answers.forEach((a, i) => {
      expect(a.status).toBe(200);
      expectSamePrediction(a.body.documents[0] as PredictionRecord, want[i]!);
    });
    // The random model must predict something for the comparison to mean anything.
    expect(want.reduce((n, w) => n + w.entities.length, 0)).toBeGreaterThan(0);
    // maxBatch 2 and eight requests: at least four model calls, spread over the two threads.
    expect(pooled.batcher.stats.calls).toBeGreaterThanOrEqual(4);
    expect(pooled.batcher.stats.largest).toBeLessThanOrEqual(2);
    const meta = (await (await fetch(`${url}/metadata`)).json()) as { entityTypes: string[]; batching: Record<string, number>; versions: Record<string, string> };
    expect(meta.entityTypes).toEqual(['Peop', 'Org', 'Loc']);
    expect(meta.batching).toMatchObject({ maxBatch: 2, concurrency: 2 });
    expect(meta.versions.onnxruntime).toMatch(/^\d+\.\d+/);
  }, 60_000);

  it('says what is missing: workers without a worker module, a bad worker count, a model the threads cannot open', async () => {
    await expect(createServer({ modelDir, workers: 2 })).rejects.toThrow('worker threads need the worker module');
    await expect(createServer({ modelDir, workers: 0 })).rejects.toThrow('workers: expected an integer >= 1, got 0');
    await expect(createServer({ modelDir: path.join(root, 'missing'), workers: 2, workerFile })).rejects.toThrow(/missing/);
  }, 60_000);
});
