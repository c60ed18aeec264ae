// Builds the browser bundle with esbuild: spert-web.js (an ES module) plus one chunk per
// onnxruntime-web build (wasm; WebGPU, loaded only when asked for). Our packages are bundled from
// source; what they import only for Node (file system, onnxruntime-node, TF.js in the export code)
// must be tree-shaken away, and the build fails if any of it is left in the output.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

// The same from src/ (tests, tsx) and dist/ (the built package): both sit one level under the package.
const here = path.dirname(fileURLToPath(import.meta.url));
/** Where our package sources are. */
const packagesDir = path.resolve(here, '../..');
const webSrc = path.join(packagesDir, 'web', 'src');

/** What {@link buildBrowserBundle} wrote. */
export interface BrowserBundle {
  outDir: string;
  /** The entry module (import { loadSpert } from it). */
  entry: string;
  /** Every output file (entry + chunks), with its size in bytes. */
  files: Array<{ file: string; bytes: number }>;
  metafile: Metafile;
}

// Our workspace packages have no import-time side effects; saying so lets esbuild drop the
// Node-only modules their barrels re-export (dataset I/O, export code) when the page never uses them.
const workspaceSources: Plugin = {
  name: 'spert-workspace',
  setup(b) {
    b.onResolve({ filter: /^@spert\// }, (args) => {
      const name = args.path.slice('@spert/'.length);
      if (name.includes('/')) return { errors: [{ text: `deep import ${args.path}: import the package's index` }] };
      return { path: path.join(packagesDir, name, 'src', 'index.ts'), sideEffects: false };
    });
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (args.pluginData === 'inner' || !args.importer.startsWith(packagesDir) || args.importer.includes('node_modules')) return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'inner' });
      return r.errors.length > 0 ? { errors: r.errors } : { path: r.path, sideEffects: false };
    });
    // node:path is pure string handling: every package gets the posix port (node-shims/path.ts;
    // loadTokenizer joins file names with it, settings name files in errors). loadTokenizer's
    // default file reader is the only node:fs the page reaches, and the browser build always
    // passes its own reader (node-shims/fs-promises.ts throws if it were ever called).
    const tokenizerSrc = path.join(packagesDir, 'tokenizer', 'src') + path.sep;
    b.onResolve({ filter: /^node:path$/ }, (args) => (args.importer.startsWith(packagesDir) ? { path: path.join(webSrc, 'node-shims', 'path.ts') } : undefined));
    b.onResolve({ filter: /^node:fs\/promises$/ }, (args) => (args.importer.startsWith(tokenizerSrc) ? { path: path.join(webSrc, 'node-shims', 'fs-promises.ts') } : undefined));
    // Anything else Node-only stays an import in the output, and the check below refuses it.
    b.onResolve({ filter: /^(node:|onnxruntime-node$|@tensorflow\/|protobufjs|onnx-proto|@huggingface\/hub$)/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** Imports an output may keep: none (onnxruntime-web is bundled, its wasm is fetched by URL). */
function leftoverImports(metafile: Metafile): string[] {
  return Object.entries(metafile.outputs).flatMap(([file, o]) => o.imports.filter((i) => i.external).map((i) => `${path.basename(file)} imports ${i.path}`));
}

/** Bundles src/browser.ts for browsers into `outDir` (minified ES module with chunks). */
export async function buildBrowserBundle({ outDir, minify = true }: { outDir: string; minify?: boolean }): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: { 'spert-web': path.join(webSrc, 'browser.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    // The ort builds that fetch their .mjs/.wasm by URL (wasmPaths), not the ones with them inlined.
    conditions: ['onnxruntime-web-use-extern-wasm'],
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [workspaceSources],
  });
  const left = leftoverImports(result.metafile);
  if (left.length > 0) throw new Error(`browser bundle: Node-only imports left after tree-shaking (a browser module uses them): ${left.join('; ')}`);
  const files = Object.entries(result.metafile.outputs).map(([file, o]) => ({ file: path.resolve(file), bytes: o.bytes }));
  return { outDir, entry: path.join(outDir, 'spert-web.js'), files, metafile: result.metafile };
}
