// The browser build in Debian's chromium against the Node runtime on the same exported model:
// all 288 CoNLL04 test documents, float32 and int8, and a second load served by the Cache API.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Prediction, PredictionRecord } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import type { BrowserContext, Page } from 'playwright-core';
import { buildBrowserBundle } from './bundle';
import type { LoadStats } from './load-spert';
import { writeWebFolder } from './static-folder';
import { expectSamePredictions, HARNESS } from '../test/browser-harness';
import { launchChromium, runBrowserTests, SOFTWARE_WEBGPU_ARGS } from '../test/chromium';
import { conll04TestTokens, exportConll04RandomModel } from '../test/conll04-model';
import { serveStatic, type StaticServer } from '../test/static-server';

interface BrowserRun {
  predictions: PredictionRecord[];
  stats: LoadStats;
  metadata: Record<string, unknown>;
}

async function predictInPage(page: Page, model: string, docs: string[][], threads = 1, backend: 'wasm' | 'webgpu' = 'wasm'): Promise<BrowserRun> {
  await page.waitForFunction(() => document.title === 'ready');
  return page.evaluate(
    async ({ model, docs, threads, backend }) => {
      const spert = (window as unknown as { spert: typeof import('./browser') }).spert;
      const m = await spert.loadSpert(model, { threads, backend });
      const predictions = await m.predict(docs.map((tokens) => ({ tokens })));
      const out = { predictions, stats: m.loadStats, metadata: m.metadata() };
      await m.dispose();
      return out;
    },
    { model, docs, threads, backend },
  );
}

(runBrowserTests ? describe : describe.skip)('@spert/web in chromium equals onnxruntime-node', () => {
  let root: string;
  let server: StaticServer;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let docs: string[][];
  let node: { float: Prediction[]; int8: Prediction[] };

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'spert-web-'));
    docs = await conll04TestTokens();
    const exported = await exportConll04RandomModel(path.join(root, 'export'), docs);
    const bundleDir = path.join(root, 'bundle');
    await buildBrowserBundle({ outDir: bundleDir });
    const site = path.join(root, 'site');
    await writeWebFolder({ modelDir: exported.float, outDir: site, bundleDir, backends: ['wasm', 'webgpu'], page: HARNESS });
    // The int8 model beside the float one, so one page (and one wasm instance) loads both.
    cpSync(exported.int8, path.join(site, 'model-int8'), { recursive: true });
    const run = async (dir: string) => {
      const rt = await SpertOnnxRuntime.load(dir, { threads: 1, batchSize: 8 });
      try {
        return await rt.predictTokens(docs);
      } finally {
        await rt.dispose();
      }
    };
    node = { float: await run(exported.float), int8: await run(exported.int8) };
    server = await serveStatic(site);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('predicts all 288 CoNLL04 test documents like the Node runtime (float32), and loads from the cache the second time', async () => {
    expect(docs).toHaveLength(288);
    // A random model that predicts nothing would prove nothing.
    expect(node.float.reduce((n, p) => n + p.entities.length, 0)).toBeGreaterThan(200);
    expect(node.float.reduce((n, p) => n + p.relations.length, 0)).toBeGreaterThan(100);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}/index.html`);
    const cold = await predictInPage(page, './model/', docs);
    expectSamePredictions(cold.predictions, node.float);
    expect(cold.metadata).toMatchObject({ runtime: 'onnxruntime-web', backend: 'wasm', threads: 1 });
    expect(cold.stats.cachedFiles).toEqual([]);
    expect(cold.stats.downloadedFiles.map((u) => path.posix.basename(new URL(u).pathname)).sort()).toEqual(
      ['config.json', 'encoder.onnx', 'entity_head.onnx', 'ort-wasm-simd-threaded.wasm', 'relation_head.onnx', 'tokenizer_config.json', 'vocab.txt'],
    );
    expect(server.requests).toEqual(expect.arrayContaining(['/model/encoder.onnx', '/ort-wasm-simd-threaded.wasm']));

    // A new page load: the model and the wasm binary come from the Cache API, the network serves no model file.
    server.requests.length = 0;
    await page.reload();
    const warm = await predictInPage(page, './model/', docs.slice(0, 20));
    expect(warm.stats.downloadedFiles).toEqual([]);
    expect(warm.stats.downloadedBytes).toBe(0);
    expect(warm.stats.cachedFiles.length).toBeGreaterThanOrEqual(6);
    expect(server.requests.filter((r) => r.startsWith('/model/') || r.endsWith('.wasm'))).toEqual([]);
    expectSamePredictions(warm.predictions, node.float.slice(0, 20));
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('runs the int8 export in the browser, agreeing with the Node runtime up to int8 rounding', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/index.html`);
    const run = await predictInPage(page, './model-int8/', docs);
    expect(node.int8.reduce((n, p) => n + p.entities.length, 0)).toBeGreaterThan(200);
    // Int8 cannot match to 1e-4: both runtimes' integer products are exact, but the float parts
    // (GELU, LayerNorm, softmax) differ between onnxruntime's native and wasm builds by a few ulps,
    // and DynamicQuantizeLinear turns an ulp at a rounding boundary into a whole quantization step.
    // Measured on this model: 287 of 288 documents identical, scores within 0.008.
    const key = (p: Pick<Prediction, 'entities' | 'relations'>) => JSON.stringify([p.entities.map((e) => [e.start, e.end, e.type]), p.relations.map((r) => [r.head, r.tail, r.type])]);
    const same = run.predictions.flatMap((p, i) => (key(p) === key(node.int8[i]) ? [i] : []));
    expect(same.length).toBeGreaterThanOrEqual(284);
    let worst = 0;
    for (const i of same) {
      run.predictions[i].entities.forEach((e, k) => (worst = Math.max(worst, Math.abs(e.score - node.int8[i].entities[k].score))));
      run.predictions[i].relations.forEach((r, k) => (worst = Math.max(worst, Math.abs(r.score - node.int8[i].relations[k].score))));
    }
    expect(worst).toBeLessThan(0.02);
    // It is the int8 graph that ran: the float model's predictions differ on many documents.
    expect(run.predictions.filter((p, i) => key(p) !== key(node.float[i])).length).toBeGreaterThan(40);
    await page.close();
  }, 300_000);

  it('runs on two wasm threads in a cross-origin isolated page, with the same predictions', async () => {
    const isolated = await serveStatic(path.join(root, 'site'), { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${isolated.url}/index.html`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const run = await predictInPage(page, './model/', docs, 2);
      expect(run.metadata.threads).toBe(2);
      expectSamePredictions(run.predictions, node.float);
      await page.close();
    } finally {
      await isolated.close();
    }
  }, 300_000);

  it('runs on WebGPU (SwiftShader\'s software adapter here) with the Node runtime\'s predictions', async () => {
    const gpu = await launchChromium(SOFTWARE_WEBGPU_ARGS);
    try {
      const page = await gpu.context.newPage();
      await page.goto(`${server.url}/index.html`);
      // SwiftShader runs WebGPU on the CPU, slowly: 48 documents (all 288 matched too, in 2 minutes).
      const run = await predictInPage(page, './model/', docs.slice(0, 48), 1, 'webgpu');
      expect(run.metadata.backend).toBe('webgpu');
      expect(run.stats.downloadedFiles.map((u) => path.posix.basename(new URL(u).pathname))).toContain('ort-wasm-simd-threaded.asyncify.wasm');
      expectSamePredictions(run.predictions, node.float.slice(0, 48));
      await page.close();
    } finally {
      await gpu.close();
    }
  }, 300_000);

  it('predicts raw text with character offsets, and says what is wrong with a bad folder', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => document.title === 'ready');
    const text = 'John Smith , the mayor of Boston , met Mary .';
    const got = await page.evaluate(async (text) => {
      const spert = (window as unknown as { spert: typeof import('./browser') }).spert;
      const m = await spert.loadSpert(new URL('./model', location.href).href, { threads: 1 });
      const one = await m.predict(text);
      const many = await m.predict([text, ['John', 'Smith'], { tokens: ['Boston'] }]);
      let bad = '';
      await spert.loadSpert('./nowhere/', { threads: 1, cache: false }).catch((e: Error) => (bad = e.message));
      let threads = '';
      await spert.loadSpert('./model/', { threads: 2 }).catch((e: Error) => (threads = e.message));
      return { one, many, bad, threads };
    }, text);
    const rt = await SpertOnnxRuntime.load(path.join(root, 'export', 'onnx'), { threads: 1 });
    const [want] = await rt.predictText([text]);
    await rt.dispose();
    expect(got.one.entities.map((e) => [e.start, e.end, e.type, e.charStart, e.charEnd])).toEqual(want.entities.map((e) => [e.start, e.end, e.type, e.charStart, e.charEnd]));
    // The browser answers the one prediction record: character offsets as `offsets`, covered text.
    expect(got.one.offsets).toEqual(want.charOffsets);
    got.one.entities.forEach((e) => expect(e.text).toBe(text.slice(e.charStart, e.charEnd)));
    expect(got.many).toHaveLength(3);
    expect(got.many[1].tokens).toEqual(['John', 'Smith']);
    expect(got.bad).toMatch(/nowhere\/config\.json: HTTP 404 .*spert-export/);
    expect(got.threads).toMatch(/threads 2 needs a cross-origin isolated page/);
    await page.close();
  }, 120_000);
});
