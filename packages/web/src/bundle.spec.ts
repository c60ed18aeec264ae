import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildBrowserBundle, type BrowserBundle } from './bundle';

/** Size budgets (gzipped), also stated in the README and docs/benchmarks.md. */
const BUDGET = { ownKb: 50, wasmPathKb: 150 };

describe('browser bundle', () => {
  let dir: string;
  let bundle: BrowserBundle;
  const gz = (file: string) => gzipSync(readFileSync(file)).length / 1024;
  const inputsOf = (file: string) => Object.keys(bundle.metafile.outputs[path.relative(process.cwd(), file)]?.inputs ?? {});

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'spert-web-bundle-'));
    bundle = await buildBrowserBundle({ outDir: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps our JavaScript under 50 KB gzipped, and the whole wasm path under 150 KB (without the .wasm file)', () => {
    const isOrt = (file: string) => inputsOf(file).every((i) => i.includes('node_modules/onnxruntime-web/'));
    const own = bundle.files.filter((f) => !isOrt(f.file));
    const ortWasm = bundle.files.filter((f) => isOrt(f.file) && /ort\.wasm/.test(path.basename(f.file)));
    expect(own.map((f) => path.basename(f.file))).toContain('spert-web.js');
    expect(ortWasm).toHaveLength(1);
    const ownKb = own.reduce((s, f) => s + gz(f.file), 0);
    expect(ownKb).toBeLessThan(BUDGET.ownKb);
    expect(ownKb + gz(ortWasm[0].file)).toBeLessThan(BUDGET.wasmPathKb);
  });

  it('holds the one pipeline and the shared graph feeding, and nothing Node-only or TF.js', () => {
    // What made it into the output (metafile.inputs also lists what was parsed, then tree-shaken away).
    const inputs = Object.values(bundle.metafile.outputs).flatMap((o) => Object.entries(o.inputs).filter(([, i]) => i.bytesInOutput > 0).map(([file]) => path.resolve(file)));
    for (const needed of ['packages/pipeline/src/predict.ts', 'packages/onnx/src/ort-scoring.ts', 'packages/tokenizer/src/bert-tokenizer.ts', 'packages/web/src/load-spert.ts']) {
      expect(inputs.filter((i) => i.endsWith(needed))).toHaveLength(1);
    }
    const forbidden = inputs.filter((i) => /@tensorflow|onnxruntime-node|protobufjs|onnx-proto|@huggingface\/hub|packages\/onnx\/src\/(runtime|export)|packages\/encoder\//.test(i));
    expect(forbidden).toEqual([]);
    // The entry does not load onnxruntime-web itself: each build is a chunk, fetched by the backend asked for.
    const entry = readFileSync(bundle.entry, 'utf8');
    expect(entry).not.toMatch(/from\s*"node:|import\("node:|\brequire\(/);
    expect(entry).toMatch(/import\("\.\/chunks\/ort\.wasm\.min-[A-Z0-9]+\.js"\)/);
  });
});
