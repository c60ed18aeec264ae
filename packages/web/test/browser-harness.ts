// Test helper: the page the chromium specs load (the bundle as window.spert) and the comparison
// of the browser's prediction records with onnxruntime-node's predictions.
import type { Prediction, PredictionRecord } from '@spert/core';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from './chromium';
import { serveStatic, type StaticServer } from './static-server';

/** A folder served on 127.0.0.1 and a chromium to open it in. */
export interface ServedSite {
  server: StaticServer;
  context: BrowserContext;
  /** Stops chromium and the server. */
  close(): Promise<void>;
}

/** Serves `dir` and starts chromium (a persistent profile, so the Cache API survives reloads). */
export async function serveToChromium(dir: string): Promise<ServedSite> {
  const server = await serveStatic(dir);
  const browser = await launchChromium();
  return {
    server,
    context: browser.context,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

/** A page that imports the browser bundle as `window.spert` and then sets its title to "ready". */
export const HARNESS = `<!doctype html><meta charset="utf-8"><title>spert-web test</title>
<script type="module">import * as spert from './spert-web.js'; window.spert = spert; document.title = 'ready';</script>`;

/** Same words, entities and relations in every document, scores within 1e-4. */
export function expectSamePredictions(web: PredictionRecord[], node: Prediction[]): void {
  expect(web).toHaveLength(node.length);
  let worst = 0;
  web.forEach((w, i) => {
    const n = node[i];
    expect({ doc: i, tokens: w.tokens }).toEqual({ doc: i, tokens: n.tokens });
    expect({ doc: i, entities: w.entities.map((e) => [e.start, e.end, e.type]) }).toEqual({ doc: i, entities: n.entities.map((e) => [e.start, e.end, e.type]) });
    expect({ doc: i, relations: w.relations.map((r) => [r.head, r.tail, r.type]) }).toEqual({ doc: i, relations: n.relations.map((r) => [r.head, r.tail, r.type]) });
    w.entities.forEach((e, k) => (worst = Math.max(worst, Math.abs(e.score - n.entities[k].score))));
    w.relations.forEach((r, k) => (worst = Math.max(worst, Math.abs(r.score - n.relations[k].score))));
  });
  expect(worst).toBeLessThan(1e-4);
}
