import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { alignDocuments, parseLabelStudio, type LabelStudioPrediction } from '@spert/annotations';
import { fixture, startFakeLabelStudio, TYPES, until, writeTinyModel, type FakeLabelStudio } from '../test/helpers';
import { runLabelStudio } from './cli';
import type { LabelStudioBackend } from './backend';

// The whole loop against a fake Label Studio on 127.0.0.1: setup, predict, annotation webhooks,
// a training job on the worker thread (a tiny model from scratch, few steps), the new model
// swapped in with a new version, different predictions; webhooks while training are debounced
// into one follow-up run. Then the backend's predictions go back through @spert/annotations.

const workerFile = path.join(__dirname, 'train-worker.ts');
const TOKEN = '3a1c5e0b9f2d4e6a8b7c9d0e1f2a3b4c5d6e7f80';

describe('spert-label-studio against a fake Label Studio', () => {
  let root: string;
  let ls: FakeLabelStudio;
  let base: string;
  let backend: LabelStudioBackend;
  let close: () => Promise<void>;
  const logs: string[] = [];
  const post = async (route: string, body: unknown) => {
    const res = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-ls-loop-'));
    await writeTinyModel(path.join(root, 'model'));
    ls = await startFakeLabelStudio({ projectId: 3, token: TOKEN, tasks: fixture<unknown[]>('export.json') });
    const started = await runLabelStudio({
      argv: ['node', 'spert-label-studio', '--model', path.join(root, 'model'), '--port', '0', '--work-dir', path.join(root, 'work'), '--debounce-ms', '1500',
        '--held-out', '0', '--epochs', '3', '--lr', '0.01', '--log-level', 'silent'],
      workerFile,
      env: {},
      signals: { once: () => undefined, removeListener: () => undefined },
      exit: () => undefined,
      log: (line) => logs.push(line),
    });
    base = started.url;
    backend = started.backend;
    close = () => started.app.close();
  }, 60_000);

  afterAll(async () => {
    await close?.();
    await ls?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('round trip: its predictions (of the model it starts with) imported as annotations and converted back give the same entities and relations', async () => {
    const request = fixture<{ tasks: Array<{ id: number; data: { text: string } }> }>('predict.json');
    const { body } = await post('/predict', request);
    const results = body.results as LabelStudioPrediction[];
    // What the model predicts on the same texts, in words (the backend's own serving model).
    const serving = backend.model;
    if (!serving) throw new Error('the backend was started with a model');
    const words = await serving.predict(request.tasks.map((t) => ({ kind: 'text', text: t.data.text })));
    const tasks = request.tasks.map((t, i) => ({ id: t.id, data: t.data, annotations: [{ id: i + 1, completed_by: 1, result: results[i].result }] }));
    const back = alignDocuments({ ...parseLabelStudio(tasks, { source: 'predictions as annotations' }), schema: TYPES });
    const nonEmpty = words.predictions.filter((p) => p.tokens.length > 0);
    expect(back.documents).toHaveLength(nonEmpty.length);
    expect(back.problems.map((p) => [p.kind, p.document])).toEqual([['empty-document', '104']]); // the empty text has no words
    back.documents.forEach((d, i) => {
      expect(d.tokens).toEqual(nonEmpty[i].tokens);
      expect(d.entities).toEqual(nonEmpty[i].entities.map(({ type, start, end, score }) => ({ type, start, end, score })));
      expect(d.relations).toEqual(nonEmpty[i].relations.map(({ type, head, tail }) => ({ type, head, tail })));
    });
    expect(back.summary.entities).toBeGreaterThan(0);
  }, 60_000);
  it('predicts, trains on annotation webhooks (debounced), swaps the model in and predicts with the new version', async () => {
    const health = await fetch(`${base}/health`).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(health).toMatchObject({ status: 'UP', model_class: 'SpERT' });
    const v0 = health.model_version as string;
    const tasksBefore = ((await fetch(`${base}/metrics`).then((r) => r.json())) as { predicted_tasks: number }).predicted_tasks;
    expect(v0).toMatch(/^spert-[0-9a-f]{12}$/);

    const setup = fixture('setup.json');
    expect(await post('/setup', { ...setup, hostname: ls.url })).toEqual({ status: 200, body: { model_version: v0 } });

    const request = fixture<{ tasks: Array<{ data: { text: string } }> }>('predict.json');
    const first = await post('/predict', request);
    expect(first.status).toBe(200);
    const results = first.body.results as LabelStudioPrediction[];
    expect(results).toHaveLength(4);
    results.forEach((r, i) => {
      expect(r.model_version).toBe(v0);
      const text = request.tasks[i].data.text;
      for (const region of r.result) if (region.type === 'labels') expect(text.slice(region.value.start, region.value.end)).toBe(region.value.text);
    });
    expect(results[3]).toEqual({ result: [], score: 1, model_version: v0 }); // the empty text

    // Three annotation events within the debounce window (1.5 s: wide enough for a loaded machine): one run.
    const created = fixture('webhook-annotation-created.json');
    const outcomes: unknown[] = [];
    for (let i = 0; i < 3; i++) outcomes.push(((await post('/webhook', created)).body.result as { training: string }).training);
    expect(outcomes).toEqual(['scheduled', 'debounced', 'debounced']);
    // While it trains, more events queue exactly one follow-up run.
    await until('the training run to start', () => backend.scheduler.status.state === 'running', 10_000);
    const during = [await post('/webhook', created), await post('/webhook', fixture('webhook-start-training.json'))];
    expect(during.map((d) => [d.status, (d.body.result as { training: string }).training])).toEqual([[201, 'queued'], [201, 'already-queued']]);
    expect((await post('/webhook', fixture('webhook-annotations-deleted.json'))).body).toEqual({ status: 'Unknown event' });
    // The request path stays free while the worker thread trains.
    const t = Date.now();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(Date.now() - t).toBeLessThan(1000);

    await backend.scheduler.idle();
    expect(ls.exports).toBe(2); // five training events, two runs
    expect(ls.refused).toBe(0);
    expect(backend.scheduler.counts).toEqual({ requests: 5, runs: 2, failures: 0 });
    expect(backend.lastTraining?.result?.accepted).toBe(true);
    expect(logs.some((l) => /training on 3 annotated tasks \(0 held out\) with a worker thread/.test(l))).toBe(true);
    const v2 = backend.modelVersion;
    expect(v2).not.toBe(v0);
    expect(((await fetch(`${base}/health`).then((r) => r.json())) as { model_version: string }).model_version).toBe(v2);
    expect(await fetch(`${base}/metrics`).then((r) => r.json())).toMatchObject({ model_version: v2, training_runs: 2, model_swaps: 2, predicted_tasks: tasksBefore + 4 });

    const second = await post('/predict', request);
    const after = second.body.results as LabelStudioPrediction[];
    expect(after.every((r) => r.model_version === v2)).toBe(true);
    expect(after.map((r) => r.result)).not.toEqual(results.map((r) => r.result));
  }, 90_000);

});
