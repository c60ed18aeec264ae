// Test helper: Debian's chromium through playwright-core (never a browser download), the same
// flags as the service's page test. A missing chromium fails in CI and skips elsewhere, loudly.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Path of the browser (CHROMIUM_PATH overrides /usr/bin/chromium). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Whether browser tests run here: chromium present, or CI (where its absence must fail). */
export const runBrowserTests = existsSync(CHROMIUM) || process.env.CI === 'true';

if (!runBrowserTests) console.warn(`@spert/web: ${CHROMIUM} not found, browser tests skipped (apt-get install -y chromium); in CI this fails`);

/** Flags that give headless chromium a WebGPU adapter without a GPU (SwiftShader's Vulkan). */
export const SOFTWARE_WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];

/** A persistent chromium profile (so the Cache API survives page reloads) and how to close it. */
export async function launchChromium(extraArgs: string[] = []): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`chromium missing at ${CHROMIUM}: CI needs it for the browser tests (apt-get install -y chromium)`);
  const profile = mkdtempSync(path.join(tmpdir(), 'spert-web-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
