import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { fixture, startFakeLabelStudio, writeTinyModel } from '../test/helpers';
import { buildLabelStudioApp } from './app';
import { LabelStudioBackend } from './backend';
import { ServingModel } from './serving-model';

// The HTTP side over a tiny model, with Label Studio's request bodies (fixtures with sources);
// training is the loop test's (loop.spec.ts): here the executor must never be reached.
describe('spert-label-studio HTTP', () => {
  let root: string;
  let app: FastifyInstance;
  let backend: LabelStudioBackend;
  const auth = { authorization: `Basic ${Buffer.from('label:studio').toString('base64')}` };
  const post = (url: string, payload: unknown, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url, payload: payload as object, headers });

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'spert-ls-app-'));
    await writeTinyModel(path.join(root, 'model'));
    const model = await ServingModel.open({ dir: path.join(root, 'model') });
    const executor = { description: 'nothing', run: () => Promise.reject(new Error('no training in these tests')), close: async () => undefined };
    backend = new LabelStudioBackend({ model, workDir: path.join(root, 'work'), executor, debounceMs: 60_000 });
    app = await buildLabelStudioApp({ backend, basicAuth: 'label:studio' });
  }, 60_000);
  afterAll(async () => {
    await app.close();
    await rm(root, { recursive: true, force: true });
  });

  it('answers health as api.py does, on / too, and only with the right basic auth', async () => {
    const health = await app.inject({ url: '/health', headers: auth });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'UP', model_class: 'SpERT', model_version: backend.modelVersion, training: { state: 'idle', followUp: false } });
    expect((await app.inject({ url: '/', headers: auth })).json()).toEqual(health.json());
    for (const headers of [{}, { authorization: `Basic ${Buffer.from('label:wrong').toString('base64')}` }, { authorization: 'Bearer label:studio' }]) {
      const r = await app.inject({ url: '/health', headers });
      expect(r.statusCode).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Basic realm="spert-label-studio"');
      expect(r.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('sends no CORS headers (Label Studio calls the backend from its server)', async () => {
    const r = await app.inject({ method: 'OPTIONS', url: '/predict', headers: { ...auth, origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const p = await post('/predict', fixture('predict.json'), { ...auth, origin: 'https://evil.example' });
    expect(p.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('setup answers the model version, and refuses a config whose labels the model does not have, naming both lists', async () => {
    expect((await post('/setup', fixture('setup.json'))).json()).toEqual({ model_version: backend.modelVersion });
    const ner = '<View><Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/></Labels><Text name="text" value="$text"/></View>';
    const r = await post('/setup', { ...fixture('setup.json'), schema: ner });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ statusCode: 422, code: 'LABEL_MISMATCH' });
    expect(r.json().message).toContain('entity labels "PER", "ORG" the model does not know; model entity types "Organization", "Person", "Datetime" missing from the config; model relation types "org:founded_by", "org:founded" missing from the config');
    const bad = await post('/setup', { project: 3, schema: '<View><Labels' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('INVALID_CONFIG');
    expect((await post('/setup', [])).json()).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST', message: 'setup: expected a JSON object {project, schema, hostname, access_token}, got an array' });
  });

  it('predicts tasks whose text sits under another data key, one result per task in order', async () => {
    const body = fixture<{ tasks: Array<{ data: { ner: string } }> }>('predict-data-key.json');
    const r = await post('/predict', body);
    expect(r.statusCode).toBe(200);
    const results = r.json().results as Array<{ result: Array<{ type: string; from_name?: string; to_name?: string; value?: { start: number; end: number; text: string } }>; model_version: string; score: number }>;
    expect(results).toHaveLength(2);
    results.forEach((res, i) => {
      expect(res.model_version).toBe(backend.modelVersion);
      expect(res.score).toBeGreaterThanOrEqual(0);
      expect(res.score).toBeLessThanOrEqual(1);
      for (const region of res.result.filter((x) => x.type === 'labels')) {
        expect(region).toMatchObject({ from_name: 'answer', to_name: 'doc' });
        expect(body.tasks[i].data.ner.slice(region.value?.start, region.value?.end)).toBe(region.value?.text);
      }
    });
  });

  it('predicts a text longer than the encoder takes in overlapping windows, with offsets on the whole text', async () => {
    // A model of 48 wordpieces, so that a few sentences need several windows.
    await writeTinyModel(path.join(root, 'short'), 7, 48);
    const short = new LabelStudioBackend({ model: await ServingModel.open({ dir: path.join(root, 'short') }), workDir: path.join(root, 'work2'), executor: { description: 'nothing', run: () => Promise.reject(new Error('no training here')), close: async () => undefined } });
    const shortApp = await buildLabelStudioApp({ backend: short });
    try {
      const text = Array.from({ length: 3 }, (_, i) => `${i}. Microsoft was founded by Bill Gates and Paul Allen on April 4, 1975 😀 in 𠮷野家.`).join(' ');
      const r = await shortApp.inject({ method: 'POST', url: '/predict', payload: { tasks: [{ id: 9, data: { text } }], project: '3.1718754000', label_config: fixture('setup.json').schema } });
      expect(r.statusCode).toBe(200);
      const regions = (r.json().results[0].result as Array<{ type: string; value?: { start: number; end: number; text: string } }>).filter((x) => x.type === 'labels');
      for (const region of regions) expect(text.slice(region.value?.start, region.value?.end)).toBe(region.value?.text);
      expect(Math.max(...regions.map((x) => x.value?.end ?? 0))).toBeGreaterThan(text.length * 0.8); // regions late in the text: from later windows
      const [direct] = (await short.model?.predict([{ kind: 'text', text }]))?.predictions ?? [];
      expect(direct.windows).toBeGreaterThan(1);
    } finally {
      await shortApp.close();
    }
  });

  it('names the task and its keys when the text is missing, and rejects what is not JSON', async () => {
    const r = await post('/predict', { ...fixture('predict-data-key.json'), label_config: fixture('setup.json').schema });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toBe('tasks[0] (task 201).data.text: expected the text the <Text name="text" value="$text"> shows, got undefined (data keys: ner, note)');
    const text = await app.inject({ method: 'POST', url: '/predict', payload: 'tasks', headers: { ...auth, 'content-type': 'application/json' } });
    expect(text.statusCode).toBe(400);
  });

  it('refuses a "__proto__" key in a body with a 400 that says which key and where', async () => {
    const body = JSON.stringify({ tasks: [{ id: 1, data: { text: 'Bill Gates founded Microsoft.', __proto__x: 1 } }] }).replace('"__proto__x"', '"__proto__"');
    const r = await app.inject({ method: 'POST', url: '/predict', payload: body, headers: { ...auth, 'content-type': 'application/json' } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'FORBIDDEN_KEY',
      message: 'the "__proto__" key is refused (at tasks[0].data): such keys can change the prototype of objects built from the request; remove it',
    });
  });

  it('predicts with the setup\'s config when a request brings none', async () => {
    await post('/setup', fixture('setup.json'));
    const { label_config: _unused, ...body } = fixture('predict.json');
    const r = await post('/predict', body);
    expect(r.statusCode).toBe(200);
    expect(r.json().results).toHaveLength(4);
  });

  it('a training run that cannot fetch the annotations (wrong token) is reported, not crashed on', async () => {
    const ls = await startFakeLabelStudio({ projectId: 3, token: 'right', tasks: [] });
    try {
      await post('/setup', { ...fixture('setup.json'), hostname: ls.url, access_token: 'wrong' });
      const r = await post('/webhook', fixture('webhook-start-training.json'));
      expect(r.statusCode).toBe(201);
      expect(r.json()).toEqual({ status: 'ok', result: { training: 'scheduled', model_version: backend.modelVersion } });
      await backend.scheduler.idle();
      expect(ls.refused).toBe(1);
      expect(backend.lastTraining?.error).toMatch(new RegExp(`^GET ${ls.url}/api/projects/3/export\\?exportType=JSON: 401 Unauthorized \\(is the API token right\\? .*\\): \\{"detail":"Authentication credentials were not provided."\\}$`));
      expect((await app.inject({ url: '/metrics', headers: auth })).json()).toMatchObject({ training_runs: 1, training_failures: 1, model_swaps: 0 });
    } finally {
      await ls.close();
    }
  });
});
