// Kernel benchmark for the wasm backend: matMul plain vs transposed (the layouts dense-layer
// gradients use) before and after @spert/backend's fix, the gather gradient, and a timing audit
// of every op the model uses (wasm vs cpu). Run: npx tsx tools/bench/kernels.ts
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { formatBackendReport, gelu, useBackend } from '@spert/backend';
import { cell, gflops, timeIt } from './timing';

interface MatMulCase { label: string; a: number[]; b: number[]; ta: boolean; tb: boolean; flops: number }

const M = 96, K = 768, N = 3072;
const matMulCases: MatMulCase[] = [
  { label: 'forward  x[96,768] W[768,3072]', a: [M, K], b: [K, N], ta: false, tb: false, flops: 2 * M * K * N },
  { label: 'dX = dy W^T  (transposeB)', a: [M, N], b: [K, N], ta: false, tb: true, flops: 2 * M * K * N },
  { label: 'dW = x^T dy  (transposeA)', a: [M, K], b: [M, N], ta: true, tb: false, flops: 2 * M * K * N },
  { label: 'transposeA+B [768,96]^T[3072,768]^T', a: [K, M], b: [N, K], ta: true, tb: true, flops: 2 * M * K * N },
  { label: 'attention QK^T [24,48,64]x[24,48,64]^T', a: [24, 48, 64], b: [24, 48, 64], ta: false, tb: true, flops: 2 * 24 * 48 * 48 * 64 },
  { label: 'attention PV [24,48,48]x[24,48,64]', a: [24, 48, 48], b: [24, 48, 64], ta: false, tb: false, flops: 2 * 24 * 48 * 48 * 64 },
  { label: 'dP = dCtx V^T [24,48,64]x[24,48,64]^T', a: [24, 48, 64], b: [24, 48, 64], ta: false, tb: true, flops: 2 * 24 * 48 * 48 * 64 },
  { label: 'dV = P^T dCtx [24,48,48]^Tx[24,48,64]', a: [24, 48, 48], b: [24, 48, 64], ta: true, tb: false, flops: 2 * 24 * 48 * 48 * 64 },
];

function matMulTable(): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of matMulCases) {
    const a = tf.randomNormal(c.a);
    // A new B for every run, as in training (weights change each step, gradients are new):
    // XNNPACK caches its packed copy of a B it has seen, which a reused B would hide.
    const bs = Array.from({ length: 6 }, () => tf.randomNormal(c.b));
    let next = 0;
    const ms = timeIt(() => tf.matMul(a, bs[next++], c.ta, c.tb), { reps: 5 });
    out.set(c.label, ms);
    tf.dispose([a, ...bs]);
  }
  return out;
}

function gatherGradMs(): string {
  const table = tf.randomNormal([28996, 768]);
  const ids = tf.tensor1d(Array.from({ length: 96 }, (_, i) => (i * 7919) % 28996), 'int32');
  const dy = tf.randomNormal([96, 768]);
  try {
    const ms = timeIt(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), dy)))(table), { reps: 3 });
    return `${ms.toFixed(1)} ms`;
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    tf.dispose([table, ids, dy]);
  }
}

interface OpCase { name: string; make: () => tf.Tensor[]; fn: (...xs: tf.Tensor[]) => tf.Tensor }

const opCases: OpCase[] = [
  { name: 'add [96,768]+[768]', make: () => [tf.randomNormal([96, 768]), tf.randomNormal([768])], fn: (a, b) => tf.add(a, b) },
  { name: 'mul [96,3072]', make: () => [tf.randomNormal([96, 3072]), tf.randomNormal([96, 3072])], fn: (a, b) => tf.mul(a, b) },
  { name: 'div [96,768]/[96,1]', make: () => [tf.randomNormal([96, 768]), tf.randomUniform([96, 1], 1, 2)], fn: (a, b) => tf.div(a, b) },
  { name: 'softmax [2,12,48,48]', make: () => [tf.randomNormal([2, 12, 48, 48])], fn: (x) => tf.softmax(x) },
  { name: 'logSoftmax [96,5]', make: () => [tf.randomNormal([96, 5])], fn: (x) => tf.logSoftmax(x) },
  { name: 'erf [96,3072]', make: () => [tf.randomNormal([96, 3072])], fn: (x) => tf.erf(x) },
  { name: 'gelu (fused kernel) [96,3072]', make: () => [tf.randomNormal([96, 3072])], fn: (x) => gelu(x) },
  { name: 'mean axis -1 [96,768]', make: () => [tf.randomNormal([96, 768])], fn: (x) => tf.mean(x, -1, true) },
  { name: 'square [96,768]', make: () => [tf.randomNormal([96, 768])], fn: (x) => tf.square(x) },
  { name: 'rsqrt [96,1]', make: () => [tf.randomUniform([96, 1], 1, 2)], fn: (x) => tf.rsqrt(x) },
  { name: 'max axis 2 [2,40,48,768] (span pool)', make: () => [tf.randomNormal([2, 40, 48, 768])], fn: (x) => tf.max(x, 2) },
  { name: 'concat 3x[96,768] axis 1', make: () => [tf.randomNormal([96, 768])], fn: (x) => tf.concat([x, x, x], 1) },
  { name: 'slice [512,768] -> [48,768]', make: () => [tf.randomNormal([512, 768])], fn: (x) => tf.slice(x, [0, 0], [48, 768]) },
  { name: 'stridedSlice [96,768] step 2', make: () => [tf.randomNormal([96, 768])], fn: (x) => tf.stridedSlice(x, [0, 0], [96, 768], [2, 1]) },
  { name: 'transpose rank 5 [2,48,3,12,64] -> [2,0,3,1,4]', make: () => [tf.randomNormal([2, 48, 3, 12, 64])], fn: (x) => tf.transpose(x, [2, 0, 3, 1, 4]) },
  { name: 'reshape [96,2304] -> [2,48,3,12,64]', make: () => [tf.randomNormal([96, 2304])], fn: (x) => tf.reshape(x, [2, 48, 3, 12, 64]) },
  { name: 'sigmoid [2,400,5]', make: () => [tf.randomNormal([2, 400, 5])], fn: (x) => tf.sigmoid(x) },
  { name: 'where [96,3072]', make: () => [tf.randomNormal([96, 3072]), tf.randomNormal([96, 3072])], fn: (a, b) => tf.where(tf.greater(a, 0), a, b) },
  { name: 'dropout 0.1 [96,3072]', make: () => [tf.randomNormal([96, 3072])], fn: (x) => tf.dropout(x, 0.1, undefined, 1) },
  { name: 'sum axis 0 [96,3072]', make: () => [tf.randomNormal([96, 3072])], fn: (x) => tf.sum(x, 0) },
  { name: 'sqrt [768,3072]', make: () => [tf.randomUniform([768, 3072], 0, 1)], fn: (x) => tf.sqrt(x) },
  { name: 'maximum [96,3072]', make: () => [tf.randomNormal([96, 3072]), tf.randomNormal([96, 3072])], fn: (a, b) => tf.maximum(a, b) },
  { name: 'clipByValue [768,3072]', make: () => [tf.randomNormal([768, 3072])], fn: (x) => tf.clipByValue(x, -1, 1) },
  { name: 'oneHot 400 x 5', make: () => [tf.tensor1d(Array.from({ length: 400 }, (_, i) => i % 5), 'int32')], fn: (x) => tf.oneHot(x as tf.Tensor1D, 5) },
  { name: 'cast [96,3072] bool->float32', make: () => [tf.greater(tf.randomNormal([96, 3072]), 0)], fn: (x) => tf.cast(x, 'float32') },
  { name: 'tile [1,768] x 96', make: () => [tf.randomNormal([1, 768])], fn: (x) => tf.tile(x, [96, 1]) },
  { name: 'gather 96 rows of [28996,768]', make: () => [tf.randomNormal([28996, 768])], fn: (x) => tf.gather(x, tf.tensor1d(Array.from({ length: 96 }, (_, i) => i * 31), 'int32')) },
  { name: 'unsortedSegmentSum [96,768] -> 28996', make: () => [tf.randomNormal([96, 768])], fn: (x) => tf.unsortedSegmentSum(x, tf.tensor1d(Array.from({ length: 96 }, (_, i) => i * 31), 'int32'), 28996) },
  { name: 'AdamW ops step [768,3072]', make: () => [tf.randomNormal([768, 3072]), tf.randomNormal([768, 3072]), tf.randomNormal([768, 3072]), tf.randomUniform([768, 3072], 0, 1)], fn: (p, g, m, v) => {
    const m2 = tf.add(tf.mul(m, 0.9), tf.mul(g, 0.1));
    const v2 = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 0.001));
    const p2 = tf.sub(p, tf.mul(tf.div(m2, tf.add(tf.sqrt(v2), 1e-6)), 1e-4));
    return tf.sub(p2, tf.mul(p2, 1e-6));
  } },
];

function opTimes(backend: 'cpu' | 'wasm'): Promise<number[]> {
  return useBackend(backend).then(() => opCases.map((c) => {
    const xs = c.make();
    // The cpu backend is 10-100x slower on big tensors; one run keeps the benchmark short.
    const ms = timeIt(() => tf.tidy(() => c.fn(...xs)), backend === 'cpu' ? { reps: 1, warmup: 0 } : { reps: 5 });
    tf.dispose(xs);
    return ms;
  }));
}

// "Before" (tfjs as shipped) and "after" (useBackend('wasm'): fixes and the shared heap, which
// must be in place before the wasm backend first starts) each run in a process of their own.
async function part(which: 'before' | 'after'): Promise<void> {
  if (which === 'before') {
    await tf.setBackend('wasm');
    await tf.ready();
  } else {
    console.error(formatBackendReport(await useBackend('wasm')));
  }
  const table = matMulTable();
  console.log(JSON.stringify({ matMul: [...table], gather: gatherGradMs() }));
}

function runPart(which: 'before' | 'after'): { matMul: Map<string, number>; gather: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--part', which], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`the "${which}" part failed (exit ${r.status})`);
  const lines = r.stdout.trim().split('\n');
  const parsed = JSON.parse(lines[lines.length - 1]) as { matMul: [string, number][]; gather: string };
  return { matMul: new Map(parsed.matMul), gather: parsed.gather };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--part');
  if (i >= 0) return part(process.argv[i + 1] as 'before' | 'after');
  const before = runPart('before');
  const after = runPart('after');
  console.log('\n## matMul on wasm, median of 5, a new B each run (ms and GFLOP/s)\n');
  console.log(`| case | before ms | before GFLOP/s | after ms | after GFLOP/s |\n|---|---:|---:|---:|---:|`);
  for (const c of matMulCases) {
    const b = before.matMul.get(c.label)!;
    const a = after.matMul.get(c.label)!;
    console.log(`| ${c.label} | ${b.toFixed(1)} | ${gflops(c.flops, b).toFixed(1)} | ${a.toFixed(1)} | ${gflops(c.flops, a).toFixed(1)} |`);
  }
  console.log(`\ngather gradient, embedding [28996,768], 96 ids: before: ${before.gather}; after: ${after.gather}\n`);

  await useBackend('wasm');
  console.log('## op audit, forward, median ms (wasm with fixes vs cpu)\n');
  const wasm = await opTimes('wasm');
  const cpu = await opTimes('cpu');
  console.log(`| op | wasm ms | cpu ms | cpu/wasm |\n|---|---:|---:|---:|`);
  opCases.forEach((c, k) => console.log(`| ${c.name} | ${cell(wasm[k].toFixed(2), 7)} | ${cell(cpu[k].toFixed(2), 7)} | ${(cpu[k] / wasm[k]).toFixed(1)} |`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
