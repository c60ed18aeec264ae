// F1 change of int8 dynamic quantization on CoNLL04 test with the reference-trained
// spert-scratch-conll04 model: float32 vs int8 export, scored with @spert/evaluator, plus
// prediction agreement, encoder file size and throughput. Run: npx tsx tools/bench/onnx-quantization.ts [--model DIR]
// With `--base N`, also the throughput of a random bert-base-sized model on the first N test
// sentences, float32 vs int8 (its F1 means nothing: the weights are random).
import { readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseTypes, type Document } from '@spert/core';
import { evaluate } from '@spert/evaluator';
import { exportSpertOnnx, ONNX_FILES, SpertOnnxRuntime, type Quantization } from '@spert/onnx';
import { parseVocab } from '@spert/tokenizer';
import { sharedPath } from '../testing/shared';
import { writeRandomBaseModel } from './onnx-models';

async function main(): Promise<void> {
  const typesFile = sharedPath('datasets', 'conll04', 'conll04_types.json');
  const types = parseTypes(JSON.parse(await readFile(typesFile, 'utf8')), { source: typesFile });
  const gold = JSON.parse(await readFile(sharedPath('datasets', 'conll04', 'conll04_test.json'), 'utf8')) as Document[];
  // --model <dir>: another CoNLL04 model directory (e.g. one trained with spert-train).
  const i = process.argv.indexOf('--model');
  const modelDir = i > 0 && process.argv[i + 1] ? path.resolve(process.argv[i + 1]) : sharedPath('fixtures', 'spert-scratch-conll04');
  const root = await mkdtemp(path.join(tmpdir(), 'spert-onnx-quant-'));
  const results: Record<string, { preds: Document[]; seconds: number; mb: number }> = {};
  try {
    for (const q of ['none', 'int8'] as Quantization[]) {
      const out = path.join(root, q);
      await exportSpertOnnx({ modelDir, outDir: out, types, quantization: q });
      const rt = await SpertOnnxRuntime.load(out, { threads: 1, batchSize: 8 });
      await rt.predictTokens(gold.slice(0, 8).map((d) => d.tokens));
      const t0 = performance.now();
      const preds = await rt.predictTokens(gold.map((d) => d.tokens));
      results[q] = { preds, seconds: (performance.now() - t0) / 1000, mb: (await stat(path.join(out, ONNX_FILES.encoder))).size / 2 ** 20 };
      await rt.dispose();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const key = (d: Document) => JSON.stringify([d.entities.map(({ type, start, end }) => [type, start, end]), d.relations.map(({ type, head, tail }) => [type, head, tail])]);
  const agree = results.none.preds.filter((p, i) => key(p) === key(results.int8.preds[i])).length;
  console.log('| export | encoder.onnx MB | sentences/s (1 thread) | NER micro F1 | Rel micro F1 | Rel+NEC micro F1 | NER macro F1 | Rel+NEC macro F1 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const q of ['none', 'int8']) {
    const r = evaluate({ gold, predicted: results[q].preds, types });
    const f = (x: number) => x.toFixed(2);
    console.log(`| ${q === 'none' ? 'float32' : 'int8'} | ${results[q].mb.toFixed(1)} | ${(gold.length / results[q].seconds).toFixed(1)} | ${f(r.ner.micro.f1)} | ${f(r.rel.micro.f1)} | ${f(r.relNec.micro.f1)} | ${f(r.ner.macro.f1)} | ${f(r.relNec.macro.f1)} |`);
  }
  console.log(`int8 predictions identical to float32 on ${agree}/${gold.length} documents`);

  const baseIdx = process.argv.indexOf('--base');
  if (baseIdx < 0) return;
  const n = Number(process.argv[baseIdx + 1] ?? 16);
  const docs = gold.slice(0, n).map((d) => d.tokens);
  const baseRoot = await mkdtemp(path.join(tmpdir(), 'spert-onnx-quant-base-'));
  try {
    const baseDir = path.join(baseRoot, 'base');
    await writeRandomBaseModel(baseDir, parseVocab(await readFile(path.join(modelDir, 'vocab.txt'), 'utf8')), types);
    console.log('| random bert-base-sized | encoder.onnx MB | sentences/s (1 thread) |');
    console.log('|---|---:|---:|');
    const preds: Document[][] = [];
    for (const q of ['none', 'int8'] as Quantization[]) {
      const out = path.join(baseRoot, q);
      await exportSpertOnnx({ modelDir: baseDir, outDir: out, quantization: q });
      const rt = await SpertOnnxRuntime.load(out, { threads: 1, batchSize: 8 });
      await rt.predictTokens(docs.slice(0, 2));
      const t0 = performance.now();
      preds.push(await rt.predictTokens(docs));
      const seconds = (performance.now() - t0) / 1000;
      await rt.dispose();
      const mb = (await stat(path.join(out, ONNX_FILES.encoder))).size / 2 ** 20;
      console.log(`| ${q === 'none' ? 'float32' : 'int8'} | ${mb.toFixed(1)} | ${(docs.length / seconds).toFixed(2)} |`);
    }
    console.log(`int8 predictions identical to float32 on ${preds[0].filter((p, i) => key(p) === key(preds[1][i])).length}/${docs.length} documents`);
  } finally {
    await rm(baseRoot, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
