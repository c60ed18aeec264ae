// Browser vs Node throughput on the same exported model (docs/benchmarks.md, "SpERT in the browser").
// `SPERT_SHARED=../shared npx tsx packages/web/scripts/bench-browser.ts [--shape quickstart|tiny] [--repeat 2]`: a random
// SpERT of the quickstart's shape (hidden 128, 2 layers, 2 heads, 512) with CoNLL04 test words;
// predicts the 288 test documents with onnxruntime-node (1 thread, default threads) and in
// chromium (wasm, 1 thread; 2 and 4 threads on a cross-origin isolated page), and times a cold
// and a cached load. Short runs; the machine is shared, so read the ratios.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { SpertOnnxRuntime } from '@spert/onnx';
import { buildBrowserBundle } from '../src/bundle';
import { writeWebFolder } from '../src/static-folder';
import { launchChromium } from '../test/chromium';
import { conll04TestTokens, exportConll04RandomModel } from '../test/conll04-model';
import { serveStatic } from '../test/static-server';

const HARNESS = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module">import * as spert from './spert-web.js'; window.spert = spert; document.title = 'ready';</script>`;

// Runs in the page; a string so that no bundler helper leaks into it.
const PAGE_RUN = `async ({ model, docs, threads, repeat }) => {
  const t0 = performance.now();
  const m = await window.spert.loadSpert(model, { threads });
  const loadMs = performance.now() - t0;
  const fromCache = m.loadStats.downloadedFiles.length === 0;
  await m.predict(docs.slice(0, 8).map((tokens) => ({ tokens })));
  const runs = [];
  for (let r = 0; r < repeat; r++) {
    const t = performance.now();
    await m.predict(docs.map((tokens) => ({ tokens })));
    runs.push(performance.now() - t);
  }
  await m.dispose();
  return { loadMs, fromCache, runs };
}`;

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};

async function main(): Promise<void> {
  const shape = arg('shape', 'quickstart') === 'tiny' ? { hiddenSize: 32, layers: 2, heads: 2, intermediateSize: 64 } : { hiddenSize: 128, layers: 2, heads: 2, intermediateSize: 512 };
  const repeat = Number(arg('repeat', '2'));
  const root = mkdtempSync(path.join(tmpdir(), 'spert-web-bench-'));
  try {
    const docs = await conll04TestTokens();
    const exported = await exportConll04RandomModel(path.join(root, 'export'), docs, shape);
    const bundleDir = path.join(root, 'bundle');
    const bundle = await buildBrowserBundle({ outDir: bundleDir });
    const site = path.join(root, 'site');
    await writeWebFolder({ modelDir: exported.float, outDir: site, bundleDir, backends: ['wasm'], page: HARNESS });
    const sizes = bundle.files.map((f) => `${path.relative(bundleDir, f.file)} ${(f.bytes / 1024).toFixed(1)} KB (${(gzipSync(readFileSync(f.file)).length / 1024).toFixed(1)} KB gz)`);
    const modelMb = (['encoder.onnx', 'entity_head.onnx', 'relation_head.onnx'].map((f) => readFileSync(path.join(site, 'model', f)).length).reduce((a, b) => a + b, 0) / 1e6).toFixed(1);
    const rate = (ms: number) => (docs.length / (ms / 1000)).toFixed(1);
    const best = (runs: number[]) => Math.min(...runs);
    const rows: string[] = [];
    for (const threads of [1, undefined]) {
      const rt = await SpertOnnxRuntime.load(exported.float, { threads, batchSize: 8 });
      await rt.predictTokens(docs.slice(0, 8));
      const runs: number[] = [];
      for (let r = 0; r < repeat; r++) {
        const t = performance.now();
        await rt.predictTokens(docs);
        runs.push(performance.now() - t);
      }
      await rt.dispose();
      rows.push(`| onnxruntime-node, ${threads ?? 'default'} thread(s) | ${rate(best(runs))} | ${best(runs).toFixed(0)} ms |`);
    }
    const browser = await launchChromium();
    const plain = await serveStatic(site);
    const isolated = await serveStatic(site, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
    const loads: string[] = [];
    try {
      for (const [server, threads] of [[plain, 1], [isolated, 2], [isolated, 4]] as const) {
        const page = await browser.context.newPage();
        await page.goto(`${server.url}/index.html`);
        await page.waitForFunction(() => document.title === 'ready');
        const r = (await page.evaluate(`(${PAGE_RUN})(${JSON.stringify({ model: './model/', docs, threads, repeat })})`)) as { loadMs: number; fromCache: boolean; runs: number[] };
        rows.push(`| chromium, onnxruntime-web wasm, ${threads} thread(s)${threads > 1 ? ' (isolated page)' : ''} | ${rate(best(r.runs))} | ${best(r.runs).toFixed(0)} ms |`);
        loads.push(`${threads} thread(s): load ${r.loadMs.toFixed(0)} ms ${r.fromCache ? 'cached' : 'cold'}`);
        await page.close();
      }
      // A cached load on a fresh page of the same origin as the first (cold) one.
      const page = await browser.context.newPage();
      await page.goto(`${plain.url}/index.html`);
      await page.waitForFunction(() => document.title === 'ready');
      const again = (await page.evaluate(`(${PAGE_RUN})(${JSON.stringify({ model: './model/', docs: docs.slice(0, 8), threads: 1, repeat: 1 })})`)) as { loadMs: number; fromCache: boolean };
      loads.push(`1 thread again: load ${again.loadMs.toFixed(0)} ms ${again.fromCache ? 'cached' : 'cold'}`);
    } finally {
      await browser.close();
      await plain.close();
      await isolated.close();
    }
    console.log(`model: random SpERT, hidden ${shape.hiddenSize}, ${shape.layers} layers, ${shape.heads} heads, intermediate ${shape.intermediateSize}; graphs ${modelMb} MB; ${docs.length} CoNLL04 test documents, batch 8, best of ${repeat}; ${cpus().length} cores`);
    console.log('| runtime | sentences/s | 288 documents |\n|---|---|---|');
    console.log(rows.join('\n'));
    console.log(loads.join('\n'));
    console.log(sizes.join('\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
