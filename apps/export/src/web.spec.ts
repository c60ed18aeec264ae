import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SpertOnnxRuntime } from '@spert/onnx';
import { buildBrowserBundle } from '@spert/web';
import type { BrowserContext } from 'playwright-core';
import sirv from 'sirv';
import { describeWithChromium, extract, launchChromium } from '../../../tools/testing/chromium-page';
import { exportRandomModel } from '../../../tools/testing/export-random-model';
import { runExport } from './cli';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

// A plain HTTP server on 127.0.0.1 (static folders: sirv), logging the paths asked for.
async function listen(handler: Handler): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createHttpServer((req, res) => {
    requests.push(req.url ?? '');
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function staticFiles(dir: string): Handler {
  const files = sirv(dir, { dev: true, etag: false });
  return (req, res) => files(req, res, () => {
    res.statusCode = 404;
    res.end('not found');
  });
}

describeWithChromium('web.spec')('spert-export --web in a real browser (chromium)', () => {
  let context: BrowserContext;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    browser = await launchChromium('spert-export-chromium-');
    context = browser.context;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('spert-export --web writes a static folder whose page predicts from a plain static server, from the cache the second time', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'spert-export-web-'));
    await exportRandomModel(root, { noneShift: 1.2 });
    const bundleDir = path.join(root, 'bundle');
    await buildBrowserBundle({ outDir: bundleDir });
    const lines: string[] = [];
    const out = path.join(root, 'onnx-web');
    const webDir = path.join(root, 'site');
    await runExport(['node', 'spert-export', '--model', path.join(root, 'model'), '--out', out, '--web', webDir], (l) => lines.push(l), { bundleDir });
    expect(lines.join('\n')).toMatch(/wrote the browser folder .*site \(\d+ files, [\d.]+ MB\)/);
    for (const f of ['index.html', 'spert-web.js', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.asyncify.wasm', 'model/config.json', 'model/encoder.onnx', 'model/vocab.txt']) {
      expect(existsSync(path.join(webDir, f))).toBe(true);
    }
    const site = await listen(staticFiles(webDir));
    const text = 'Mary met Bob in Paris , John Smith works for Acme Corp .';
    const rt = await SpertOnnxRuntime.load(out, { threads: 1 });
    const [want] = await rt.predictText([text]);
    await rt.dispose();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${site.url}/`);
      await page.waitForFunction(() => /^model loaded/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
      expect(await page.locator('#legend span').allTextContents()).toEqual(['Peop', 'Org', 'Loc']);
      expect(await page.isDisabled('#in-browser')).toBe(true);
      const got = await extract(page, text);
      expect(got.status).toMatch(/in this browser$/);
      expect(got.entities).toEqual(want.entities.map((e) => `${e.start}-${e.end} ${e.type}`));
      expect(got.relations.flatMap((r) => r.slice(r.indexOf(' ') + 1).split(', ')).sort()).toEqual(want.relations.map((r) => r.type).sort());
      if (process.env.SPERT_SCREENSHOT_DIR) await page.screenshot({ path: path.join(process.env.SPERT_SCREENSHOT_DIR, 'web-demo.png'), fullPage: true });
      // A second visit: the model and the wasm binary come from the Cache API.
      site.requests.length = 0;
      await page.reload();
      await page.waitForFunction(() => /^model loaded/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
      expect(await page.locator('#status').textContent()).toMatch(/\(from the cache\)$/);
      expect(site.requests.filter((r) => r.startsWith('/model/') || r.endsWith('.wasm'))).toEqual([]);
      expect((await extract(page, text)).entities).toEqual(got.entities);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await site.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
