import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BROWSER_PAGE_CSP, buildBrowserBundle } from '@spert/web';
import type { BrowserContext } from 'playwright-core';
import { describeWithChromium, extract, launchChromium } from '../../../tools/testing/chromium-page';
import { exportRandomModel } from '../../../tools/testing/export-random-model';
import { RulePredictor } from '../test/rule-predictor';
import { buildApp, type ServeApp } from './app';
import { createServer } from './create-server';

describeWithChromium('page.spec')('web page in a real browser (chromium)', () => {
  let serve: ServeApp;
  let base: string;
  let context: BrowserContext;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    browser = await launchChromium('spert-serve-chromium-');
    context = browser.context;
    serve = await buildApp({ predictor: new RulePredictor(), batch: { maxWaitMs: 1 } });
    await serve.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(serve.app.server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.app.close();
  });

  it('highlights entities and draws labelled relation arcs for typed text, escaping everything', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/`);
    await page.waitForSelector('#legend span');
    expect(await page.locator('#legend span').allTextContents()).toEqual(['Loc', 'Org', 'Peop']);

    await page.fill('#text', 'Yesterday John Smith joined Acme Corp in Berlin .\n<img src=x onerror=alert(1)> Zoe <b>Bold</b>');
    await page.click('#go');
    await page.waitForSelector('.doc[data-doc="1"]');

    const first = page.locator('.doc[data-doc="0"]');
    const entities = await first.locator('g.entity').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-type'), g.querySelector('.entity-label')?.textContent]));
    expect(entities).toEqual([['Peop', 'Peop'], ['Org', 'Org'], ['Loc', 'Loc']]);
    const fills = await first.locator('g.entity rect').evaluateAll((rs) => rs.map((r) => r.getAttribute('fill')));
    expect(new Set(fills).size).toBe(3);
    const arcs = await first.locator('g.relation').evaluateAll((gs) => gs.map((g) => [g.querySelector('.relation-label')?.textContent, g.getAttribute('data-head'), g.getAttribute('data-tail')]));
    expect(arcs.sort()).toEqual([['OrgBased_In', '1', '2'], ['Work_For', '0', '1']]);
    // Arcs are drawn above the text: the label sits higher than the entity boxes.
    const arcBox = await first.locator('g.relation').first().boundingBox();
    const entBox = await first.locator('g.entity rect').first().boundingBox();
    expect(arcBox && entBox && arcBox.y < entBox.y).toBe(true);

    // Markup typed by the user comes back as text, never as elements.
    const second = page.locator('.doc[data-doc="1"]');
    expect(await second.locator('img, b').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await second.locator('text.token').allTextContents()).toContain('img');
    expect(await page.locator('#status').textContent()).toMatch(/^done in \d+ ms$/);
    expect(errors).toEqual([]);

    const shots = process.env.SPERT_SCREENSHOT_DIR ?? mkdtempSync(path.join(tmpdir(), 'spert-serve-shot-'));
    const file = path.join(shots, 'serve-page.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
    await page.close();
  }, 60_000);

  it('renders the predictions of a real exported model, nested entities included', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'spert-serve-page-model-'));
    const real = await createServer({ modelDir: await exportRandomModel(root, { noneShift: 1.2 }), threads: 1 });
    try {
      await real.app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(real.app.server.address() as AddressInfo).port}`;
      const text = 'John Smith works for Acme Corp in Berlin .';
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ documents: [{ text }] }) });
      const want = ((await res.json()) as { documents: Array<{ entities: Array<{ type: string }>; relations: Array<{ type: string; head: number; tail: number }> }> }).documents[0];
      const page = await context.newPage();
      await page.goto(`${url}/`);
      await page.fill('#text', text);
      await page.click('#go');
      await page.waitForSelector('.doc[data-doc="0"]');
      const doc = page.locator('.doc[data-doc="0"]');
      expect(await doc.locator('g.entity .entity-label').allTextContents()).toEqual(want?.entities.map((e) => e.type));
      // One arc per (head, tail) pair, labelled with all its relation types.
      const labels = await doc.locator('g.relation .relation-label').allTextContents();
      expect(labels.flatMap((l) => l.split(', ')).sort()).toEqual(want?.relations.map((r) => r.type).sort());
      expect(labels).toHaveLength(new Set(want?.relations.map((r) => `${r.head}>${r.tail}`)).size);
      expect(want?.entities.length).toBeGreaterThan(1);
      // Overlapping entities sit in separate rows.
      const rows = await doc.locator('g.entity').evaluateAll((gs) => gs.map((g) => [Number(g.getAttribute('data-start')), Number(g.getAttribute('data-end')), Number(g.getAttribute('data-row'))]));
      for (const [s1, e1, r1] of rows) for (const [s2, e2, r2] of rows) if (s1 !== s2 || e1 !== e2) expect(r1 === r2 && s1 < e2 && s2 < e1).toBe(false);
      if (process.env.SPERT_SCREENSHOT_DIR) await page.screenshot({ path: path.join(process.env.SPERT_SCREENSHOT_DIR, 'serve-page-model.png'), fullPage: true });
      await page.close();
    } finally {
      await real.app.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('shows the server\'s JSON error for a request over the limits', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.fill('#text', 'x'.repeat(10_001));
    await page.click('#go');
    await page.waitForFunction(() => (document.getElementById('error')?.textContent ?? '').length > 0);
    expect(await page.locator('#error').textContent()).toBe('TEXT_TOO_LONG: documents[0].text: 10001 characters, the limit is 10000');
    await page.close();
  }, 60_000);
  it('"run in this browser" gives the service\'s predictions, from the service\'s own model files (spert-serve --browser)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'spert-serve-page-web-'));
    const modelDir = await exportRandomModel(root, { noneShift: 1.2 });
    const bundleDir = path.join(root, 'bundle');
    await buildBrowserBundle({ outDir: bundleDir });
    const real = await createServer({ modelDir, threads: 1, browser: { bundleDir } });
    await real.app.listen({ host: '127.0.0.1', port: 0 });
    const service = `http://127.0.0.1:${(real.app.server.address() as AddressInfo).port}`;
    try {
      const home = await fetch(`${service}/`);
      expect(home.headers.get('content-security-policy')).toBe(BROWSER_PAGE_CSP);
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(new URL(r.url()).pathname));
      await page.goto(`${service}/`);
      await page.waitForSelector('#legend span');
      expect(await page.locator('#where').isVisible()).toBe(true);
      const text = 'John Smith works for Acme Corp in Berlin .';
      const server = await extract(page, text);
      expect(server.status).toMatch(/^done in \d+ ms$/);
      expect(server.entities.length).toBeGreaterThan(1);
      await page.check('#in-browser');
      const browserRun = await extract(page, text);
      expect(browserRun.status).toMatch(/^done in \d+ ms in this browser$/);
      expect(browserRun.entities).toEqual(server.entities);
      expect(browserRun.relations).toEqual(server.relations);
      expect(requests).toEqual(expect.arrayContaining(['/web/spert-web.js', '/web/model/encoder.onnx']));
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await real.app.close();
      rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);

});
