// Sentences per second over CoNLL04 test: onnxruntime-node (exported graphs) vs the TF.js wasm
// path (@spert/model: encoder + heads), for the reference-trained spert-scratch-conll04 model
// and a random bert-base-sized SpERT model. Appends/replaces its own section of docs/benchmarks.md.
//
//   npx tsx tools/bench/onnx.ts [--models scratch,base,trained] [--trained runs/x/model] [--docs 288] [--base-docs 32]
//                               [--threads 2] [--batch 16] [--skip-tfjs] [--no-write]
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { useBackend } from '@spert/backend';
import { parseTypes, type Document, type TypesSchema } from '@spert/core';
import { SpertModel } from '@spert/model';
import { exportSpertOnnx, SpertOnnxRuntime } from '@spert/onnx';
import { parseVocab } from '@spert/tokenizer';
import { repoRoot, sharedPath } from '../testing/shared';
import { writeRandomBaseModel } from './onnx-models';

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const num = (name: string, fallback: number) => {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name}: expected a positive integer, got ${arg(name)}`);
  return v;
};

interface Row {
  model: string;
  runtime: string;
  docs: number;
  seconds: number;
  sentPerSec: number;
  note: string;
}

async function timeOnnx(dir: string, docs: string[][], threads: number, batchSize: number): Promise<{ seconds: number; preds: Document[] }> {
  const rt = await SpertOnnxRuntime.load(dir, { threads, batchSize });
  await rt.predictTokens(docs.slice(0, Math.min(8, docs.length)));
  const t0 = performance.now();
  const preds = await rt.predictTokens(docs);
  const seconds = (performance.now() - t0) / 1000;
  await rt.dispose();
  return { seconds, preds };
}

async function timeTfjs(dir: string, types: TypesSchema, docs: string[][], batchSize: number): Promise<{ seconds: number; preds: Document[]; matMulThreads: number | null }> {
  const { matMulThreads } = await useBackend('wasm');
  const model = await SpertModel.load({ dir, types });
  await model.predict(docs.slice(0, Math.min(2, docs.length)), { batchSize });
  const t0 = performance.now();
  const preds = await model.predict(docs, { batchSize });
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  return { seconds, preds, matMulThreads };
}

const same = (a: Document, b: Document) =>
  JSON.stringify([a.entities.map(({ type, start, end }) => [type, start, end]), a.relations.map(({ type, head, tail }) => [type, head, tail])]) ===
  JSON.stringify([b.entities.map(({ type, start, end }) => [type, start, end]), b.relations.map(({ type, head, tail }) => [type, head, tail])]);

async function main(): Promise<void> {
  const models = (arg('models', 'scratch,base') as string).split(',');
  const threads = num('threads', Math.min(2, cpus().length));
  const batchSize = num('batch', 16);
  const typesFile = sharedPath('datasets', 'conll04', 'conll04_types.json');
  const types = parseTypes(JSON.parse(await readFile(typesFile, 'utf8')), { source: typesFile });
  const test = JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_test.json'), 'utf8')) as Document[];
  const scratchDir = sharedPath('fixtures', 'spert-scratch-conll04');
  const root = await mkdtemp(path.join(tmpdir(), 'spert-bench-onnx-'));
  const rows: Row[] = [];
  const load0 = loadavg()[0];
  try {
    for (const name of models) {
      const n = name === 'base' ? num('base-docs', 32) : num('docs', test.length);
      const docs = test.slice(0, n).map((d) => d.tokens);
      let modelDir = scratchDir;
      let label = 'spert-scratch-conll04 (4 layers, H 256)';
      if (name === 'base') {
        modelDir = path.join(root, 'base');
        label = 'random bert-base-sized (12 layers, H 768)';
        console.log('writing a random bert-base-sized SpERT model ...');
        await writeRandomBaseModel(modelDir, parseVocab(await readFile(path.join(scratchDir, 'vocab.txt'), 'utf8')), types);
      } else if (name === 'trained') {
        // A model directory trained with this project (e.g. spert-train's <out>/model).
        const dir = arg('trained', '') as string;
        if (!dir) throw new Error('--models trained needs --trained <model dir>');
        modelDir = path.resolve(dir);
        const c = JSON.parse(await readFile(path.join(modelDir, 'config.json'), 'utf8')) as { num_hidden_layers: number; hidden_size: number };
        label = `trained here: ${path.basename(path.dirname(modelDir))} (${c.num_hidden_layers} layers, H ${c.hidden_size})`;
      } else if (name !== 'scratch') {
        throw new Error(`--models: unknown model "${name}" (scratch, base, trained)`);
      }
      const onnxDir = path.join(root, `${name}-onnx`);
      const t0 = performance.now();
      await exportSpertOnnx({ modelDir, outDir: onnxDir, types: name === 'scratch' ? types : undefined });
      console.log(`${label}: exported in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const onnx = await timeOnnx(onnxDir, docs, threads, batchSize);
      rows.push({ model: label, runtime: `onnxruntime-node ${threads} thread(s)`, docs: n, seconds: onnx.seconds, sentPerSec: n / onnx.seconds, note: `${onnx.preds.reduce((a, p) => a + p.entities.length, 0)} entities predicted` });
      console.log(rows[rows.length - 1]);
      if (!flag('skip-tfjs')) {
        const tfjs = await timeTfjs(modelDir, types, docs, batchSize);
        const agree = tfjs.preds.filter((p, i) => same(p, onnx.preds[i])).length;
        rows.push({ model: label, runtime: `TF.js wasm (matMul on ${tfjs.matMulThreads ?? '?'} thread(s))`, docs: n, seconds: tfjs.seconds, sentPerSec: n / tfjs.seconds, note: `predictions identical to ONNX on ${agree}/${n} docs` });
        console.log(rows[rows.length - 1]);
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const load1 = loadavg()[0];
  const table = [
    '| model | runtime | docs | seconds | sentences/s | note |',
    '|---|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.model} | ${r.runtime} | ${r.docs} | ${r.seconds.toFixed(2)} | ${r.sentPerSec.toFixed(1)} | ${r.note} |`),
  ].join('\n');
  console.log(table);
  if (flag('no-write')) return;
  const section = [
    '<!-- onnx-bench:start -->',
    '## ONNX runtime vs TF.js (tools/bench/onnx.ts)',
    '',
    `Prediction throughput over CoNLL04 test sentences (tokenization, batching by length with batch ${batchSize}, encoder, both heads and decoding included; first batch excluded as warm-up). ` +
      `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${load0.toFixed(1)} -> ${load1.toFixed(1)} during the run${Math.max(load0, load1) > cpus().length ? ' (shared with other jobs: absolute numbers are pessimistic, the ratio is what matters)' : ' (otherwise idle)'}; measured ${new Date().toISOString().slice(0, 10)}. ` +
      'The model "trained here" is the one of docs/results.md (spert-train from a random encoder on CoNLL04 train). ' +
      'The random bert-base-sized model uses the scratch model\'s 6800-entry vocabulary (so sentences tokenize to realistic lengths) and a "none" bias that keeps a few spans per sentence. ' +
      'The TF.js rows\' note is the TF.js-vs-ONNX parity of the predictions (entities, relations, types) on the same documents. ' +
      'TF.js runs its own wasm kernels on one thread and @spert/backend\'s matMul kernels on the thread count in its row (SPERT_WASM_THREADS); onnxruntime was given the thread count in its row.',
    '',
    table,
    '',
    `Reproduce: \`npx tsx tools/bench/onnx.ts ${process.argv.slice(2).join(' ')}\`.`,
    '<!-- onnx-bench:end -->',
  ].join('\n');
  const file = path.join(repoRoot, 'docs', 'benchmarks.md');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const re = /<!-- onnx-bench:start -->[\s\S]*?<!-- onnx-bench:end -->/;
  text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(file, text);
  console.log(`wrote the ONNX section of ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
