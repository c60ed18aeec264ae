// Node side of the browser build: lays out a static folder any file server can host — the
// bundle, onnxruntime-web's wasm files, an exported model, and a page.
import { statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildBrowserBundle } from './bundle';
import { MODEL_GRAPHS, ORT_WASM_FILES, type WebBackend } from './load-spert';

const here = path.dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

/** Where `nx build @spert/web` writes the browser bundle. */
export const BUILT_BUNDLE_DIR = path.resolve(here, '..', 'dist', 'browser');

/** Options of {@link writeWebFolder}. */
export interface WriteWebFolderOptions {
  /** An exported model directory (spert-export's --out: config.json, the three graphs, tokenizer files). */
  modelDir: string;
  /** The folder to write (created): index.html, spert-web.js (+ chunks/), the wasm files, model/. */
  outDir: string;
  /** The page's HTML (index.html); without it no page is written. */
  page?: string;
  /** The backends whose wasm files to copy (default both: wasm 14 MB, webgpu 27 MB). */
  backends?: WebBackend[];
  /** A built bundle folder (default: the package's dist/browser, built from source when absent). */
  bundleDir?: string;
}

/** What {@link writeWebFolder} wrote, relative to `outDir`, with sizes. */
export interface WebFolder {
  outDir: string;
  files: Array<{ file: string; bytes: number }>;
}

async function copyTree(from: string, to: string, rel: string, out: WebFolder['files']): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const e of await readdir(from, { withFileTypes: true })) {
    if (e.isDirectory()) await copyTree(path.join(from, e.name), path.join(to, e.name), path.posix.join(rel, e.name), out);
    else if (e.isFile() && !e.name.endsWith('.map')) {
      await copyFile(path.join(from, e.name), path.join(to, e.name));
      out.push({ file: path.posix.join(rel, e.name), bytes: (await stat(path.join(from, e.name))).size });
    }
  }
}

/**
 * Finds the built browser bundle; in a checkout where it was not built yet, builds it from source
 * (esbuild) into a temporary folder (never into dist/, which a parallel build may be rewriting).
 */
export async function locateBrowserBundle(bundleDir?: string): Promise<string> {
  const dir = bundleDir ?? BUILT_BUNDLE_DIR;
  const entry = path.join(dir, 'spert-web.js');
  if (await stat(entry).then(() => true, () => false)) return dir;
  if (bundleDir) throw new Error(`${entry}: no browser bundle there; build it with \`npx nx build @spert/web\``);
  const tmp = await mkdtemp(path.join(tmpdir(), 'spert-web-bundle-'));
  await buildBrowserBundle({ outDir: tmp });
  return tmp;
}

/** Writes the static folder of the browser build: page, bundle, wasm files and the model under model/. */
export async function writeWebFolder(o: WriteWebFolderOptions): Promise<WebFolder> {
  const missing = [...Object.values(MODEL_GRAPHS), 'config.json'].filter((f) => !requireFile(path.join(o.modelDir, f)));
  if (missing.length > 0) throw new Error(`${o.modelDir}: not an exported model directory (missing ${missing.join(', ')}); export it first: spert-export --model <model dir> --out ${o.modelDir}`);
  const result: WebFolder = { outDir: o.outDir, files: [] };
  await mkdir(o.outDir, { recursive: true });
  await copyTree(await locateBrowserBundle(o.bundleDir), o.outDir, '', result.files);
  for (const backend of o.backends ?? (['wasm', 'webgpu'] as const)) {
    for (const name of Object.values(ORT_WASM_FILES[backend])) {
      const src = requireHere.resolve(`onnxruntime-web/${name}`);
      await copyFile(src, path.join(o.outDir, name));
      result.files.push({ file: name, bytes: (await stat(src)).size });
    }
  }
  await copyTree(o.modelDir, path.join(o.outDir, 'model'), 'model', result.files);
  if (o.page !== undefined) {
    await writeFile(path.join(o.outDir, 'index.html'), o.page);
    result.files.push({ file: 'index.html', bytes: Buffer.byteLength(o.page) });
  }
  return result;
}

function requireFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}
