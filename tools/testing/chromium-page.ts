// The demo page (@spert/web's renderPage) in Debian's chromium, driven by playwright-core: what
// spert-serve's page test and spert-export's --web test share.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium, never a browser download (see .ci/run); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** True when chromium is installed. */
export const haveChromium = existsSync(CHROMIUM);
/** In CI a missing chromium fails the browser tests instead of skipping them. */
export const inCi = process.env.CI === 'true';

/** `describe` when chromium is there or in CI (where a missing one fails), else `describe.skip` with a warning naming `spec`. */
export function describeWithChromium(spec: string): jest.Describe {
  if (!haveChromium && !inCi) console.warn(`${spec}: ${CHROMIUM} not found, browser test skipped (apt-get install -y chromium); in CI this fails`);
  return haveChromium || inCi ? describe : describe.skip;
}

/** A headless chromium with a profile of its own (removed by `close`). */
export async function launchChromium(profilePrefix: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!haveChromium) throw new Error(`chromium missing at ${CHROMIUM}: CI needs it for the browser test (apt-get install -y chromium)`);
  const profile = mkdtempSync(path.join(tmpdir(), profilePrefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1100, height: 700 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Types `text` into the page, presses Extract and reads the first document's entities ("start-end Type"), relations and status. */
export async function extract(page: Page, text: string): Promise<{ entities: Array<string | null>; relations: string[]; status: string | null }> {
  await page.fill('#text', text);
  await page.click('#go');
  await page.waitForFunction(() => /^done in/.test(document.getElementById('status')?.textContent ?? '') || (document.getElementById('error')?.textContent ?? '') !== '', undefined, { timeout: 60_000 });
  expect(await page.locator('#error').textContent()).toBe('');
  const doc = page.locator('.doc[data-doc="0"]');
  return {
    entities: await doc.locator('g.entity').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-start')}-${g.getAttribute('data-end')} ${g.querySelector('.entity-label')?.textContent}`)),
    relations: (await doc.locator('g.relation').evaluateAll((gs) => gs.map((g) => `${g.getAttribute('data-head')}>${g.getAttribute('data-tail')} ${g.querySelector('.relation-label')?.textContent}`))).sort(),
    status: await page.locator('#status').textContent(),
  };
}

