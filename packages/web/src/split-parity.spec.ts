// The word splitter of the browser bundle in Debian's chromium against Node: the corpus of tricky
// raw strings of @spert/tokenizer (src/testing/split-corpus.json) plus seeded random mixes of
// the characters engines disagree on must give identical words and offsets. Before splitWords
// had its own rules, chromium's ICU data split "U.S.", "a.m.", "e.g.", "EU:s" and e-mail
// addresses apart where Node kept them (32 of the corpus's 110 texts differed).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { splitWords, type WordSpan } from '@spert/tokenizer';
import type { BrowserContext } from 'playwright-core';
import { buildBrowserBundle } from './bundle';
import { launchChromium, runBrowserTests } from '../test/chromium';
import { serveStatic, type StaticServer } from '../test/static-server';
import { repoRoot } from '../../../tools/testing/shared';

const HARNESS = `<!doctype html><meta charset="utf-8"><title>spert-web split test</title>
<script type="module">import * as spert from './spert-web.js'; window.spert = spert; document.title = 'ready';</script>`;

const corpus = (JSON.parse(readFileSync(path.join(repoRoot, 'packages/tokenizer/src/testing/split-corpus.json'), 'utf8')) as { cases: Array<{ class: string; text: string }> }).cases;

// Pieces whose mixes exercise every rule: dotted letters, colons, numbers, e-mail and URL parts,
// marks and joiners, emoji, scripts with and without dictionaries, odd spaces and controls.
const PIECES = [
  'a', 'B', 'xyz', 'Kennedy', 'U', 'S', 'Ph', 'D', 'é', 'e\u0301', '1', '23', '3.5', '1,000', '.', '.', ',', ';', ':', "'", '’', '"', '-', '--', '_',
  '/', '(', ')', '$', '%', '#', '!', '?', '…', ' ', ' ', ' ', '\n', '\r\n', '\t', '\u00a0', '\u202f', '\u3000', '\u200b', '\u200c', '\u200d', '\ufeff',
  '\u00ad', '\u0301', '\u0000', '😀', '🏽', '👨‍👩‍👧', '\ufe0f', '\u20e3', '🇺', '🇸', '北京', '大学', 'の', 'カタ', 'ー', 'ภาษา', 'ไทย', 'שלום', 'العربية',
  'हिन्दी', '서울', 'Москва', '²', '𝐀', '𠀀', '·', 'Dr', "n't", "'s", '@', 'x.com', 'http://', 'www.',
];

/** `count` strings of 1 to 14 pieces from a fixed-seed generator (the same strings every run). */
function mixes(count: number): string[] {
  let seed = 2024;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
  return Array.from({ length: count }, () => Array.from({ length: 1 + Math.floor(next() * 14) }, () => PIECES[Math.floor(next() * PIECES.length)]).join(''));
}

const asTriples = (words: WordSpan[]) => words.map((w) => [w.text, w.start, w.end]);

(runBrowserTests ? describe : describe.skip)('splitWords in chromium (the browser bundle) equals Node', () => {
  let root: string;
  let server: StaticServer;
  let browser: { context: BrowserContext; close(): Promise<void> };

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'spert-web-split-'));
    await buildBrowserBundle({ outDir: root });
    writeFileSync(path.join(root, 'index.html'), HARNESS);
    server = await serveStatic(root);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** splitWords of the bundle, run in a chromium page, on every text. */
  async function splitInChromium(texts: string[]): Promise<WordSpan[][]> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => document.title === 'ready');
      const words = await page.evaluate((texts) => {
        const spert = (window as unknown as { spert: typeof import('./browser') }).spert;
        return texts.map((t) => spert.splitWords(t));
      }, texts);
      expect(errors).toEqual([]);
      return words;
    } finally {
      await page.close();
    }
  }

  it('gives Node\'s words and offsets on every text of the corpus of tricky raw strings', async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(100);
    const texts = corpus.map((c) => c.text);
    const web = await splitInChromium(texts);
    expect(web).toHaveLength(texts.length);
    texts.forEach((text, i) => {
      expect({ class: corpus[i].class, text, words: asTriples(web[i]) }).toEqual({ class: corpus[i].class, text, words: asTriples(splitWords(text)) });
    });
    // The classes chromium's ICU split differently are kept whole in both.
    const webWords = new Set(web.flat().map((w) => w.text));
    for (const word of ['U.S.', 'a.m.', 'e.g.', 'Ph.D.', 'EU:s', 'john.smith@example.com', 'https://www.example.org/path/to/page.html?q=1&lang=en#top', '1,000.50']) {
      expect(webWords).toContain(word);
    }
  }, 120_000);

  it('gives Node\'s words and offsets on 3000 random mixes of the characters engines disagree on', async () => {
    const texts = mixes(3000);
    const web = await splitInChromium(texts);
    const differ = texts.flatMap((text, i) => {
      const node = JSON.stringify(asTriples(splitWords(text)));
      return JSON.stringify(asTriples(web[i])) === node ? [] : [{ text, node, web: JSON.stringify(asTriples(web[i])) }];
    });
    expect(differ).toEqual([]);
  }, 120_000);
});
