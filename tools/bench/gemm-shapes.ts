// `node [--experimental-wasm-relaxed-simd] --import tsx tools/bench/gemm-shapes.ts [--shapes tools/bench/gemm-shapes-256x4.json] [--baseline main] [--reps 21]`
// (`npx tsx` starts node without the flag: the fma build is left out then)
// GEMM micro-benchmark (issue #28): the exact products of a SpERT training step (shapes, layouts,
// batching and bias as recorded by gemm-capture.ts) and of a bert-base layer (M = 96 and 256,
// K/N = 768/3072, forward, input and weight gradients, attention), run through @spert/backend's
// GemmEngine on a shared wasm memory at 1 and 2 threads, for several kernel builds: the kernels
// committed at --baseline (a git ref), the current plain build and, where the runtime validates
// relaxed SIMD (node --experimental-wasm-relaxed-simd on Node 20), the fma build. The machine may be
// shared: every repetition runs all builds and thread counts back to back (interleaved), and the
// tables give medians of --reps repetitions, in GFLOP/s and in process CPU time per product
// (all threads, including a worker's spin-wait after its share). Also measures the SIMD peak of
// this machine: independent multiply-adds in registers, no memory traffic.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { GemmEngine, relaxedSimdAvailable, type GemmShape, type HeapAllocator } from '../../packages/backend/src/gemm-engine';
import type { CapturedShape } from './gemm-shape-types';

interface Product { label: string; shape: GemmShape; bias: boolean; perStep: number; group: string }
interface Config { name: string; threads: number; engine: GemmEngine }

const pause = new Int32Array(new SharedArrayBuffer(4));
const flopsOf = (s: GemmShape): number => 2 * s.batch * s.M * s.K * s.N;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A recorded kernel call as the engine sees it (the same mapping as wasm-matmul.ts). */
function fromCapture(c: CapturedShape): Product {
  const ra = c.a.length, rb = c.b.length;
  const M = c.transposeA ? c.a[ra - 1] : c.a[ra - 2], K = c.transposeA ? c.a[ra - 2] : c.a[ra - 1];
  const N = c.transposeB ? c.b[rb - 2] : c.b[rb - 1];
  const batchA = c.a.slice(0, -2).reduce((p, d) => p * d, 1), batchB = c.b.slice(0, -2).reduce((p, d) => p * d, 1);
  const shape: GemmShape = { batch: Math.max(batchA, batchB), M, K, N, transposeA: c.transposeA, transposeB: c.transposeB, aBatched: batchA > 1, bBatched: batchB > 1 };
  const layout = `${c.transposeA ? 'A^T' : 'A'}${c.transposeB ? ' B^T' : ' B'}${c.bias ? ' +bias' : ''}`;
  return { label: `[${c.a}] x [${c.b}] ${layout}`, shape, bias: c.bias != null, perStep: c.perStep, group: 'step' };
}

/** One bert-base encoder layer's products at M tokens (B = M / T sentences of T = 48 or 128). */
function bertBase(M: number): Product[] {
  const H = 768, F = 3072, heads = 12, T = M === 96 ? 48 : 128, B = M / T;
  const p = (label: string, batch: number, m: number, k: number, n: number, ta: boolean, tb: boolean, bias: boolean, batched = batch > 1): Product => ({
    label: `bert-base M=${M}: ${label}`, bias, perStep: 0, group: `bert-base M=${M}`,
    shape: { batch, M: m, K: k, N: n, transposeA: ta, transposeB: tb, aBatched: batched, bBatched: batched },
  });
  return [
    p('x W (768 -> 768) +bias', 1, M, H, H, false, false, true),
    p('x W (768 -> 3072) +bias', 1, M, H, F, false, false, true),
    p('x W (3072 -> 768) +bias', 1, M, F, H, false, false, true),
    p('dX = dy W^T (3072 -> 768)', 1, M, F, H, false, true, false),
    p('dX = dy W^T (768 -> 3072)', 1, M, H, F, false, true, false),
    p('dW = x^T dy [768,M]^T[M,3072]', 1, H, M, F, true, false, false),
    p('dW = x^T dy [3072,M]^T[M,768]', 1, F, M, H, true, false, false),
    p(`Q K^T [${B * heads},${T},64]`, B * heads, T, 64, T, false, true, false),
    p(`P V [${B * heads},${T},${T}]`, B * heads, T, T, 64, false, false, false),
    p(`dV = P^T dCtx`, B * heads, T, T, 64, true, false, false),
  ];
}

/** A memory with operands laid out once and a stack allocator for the engines' scratch. */
class Arena implements HeapAllocator {
  readonly memory = new WebAssembly.Memory({ initial: 2048, maximum: 16384, shared: true });
  private top = 1 << 20;
  private readonly stack: number[] = [];
  malloc(bytes: number): number {
    const at = Math.ceil(this.top / 64) * 64;
    const end = at + bytes;
    if (end > this.memory.buffer.byteLength) this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / 65536));
    this.stack.push(this.top);
    this.top = end;
    return at;
  }
  free(): void {
    this.top = this.stack.pop() ?? this.top;
  }
  /** Random floats in [-0.5, 0.5), kept until reset. */
  floats(n: number): number {
    const at = this.malloc(4 * n);
    const v = new Float32Array(this.memory.buffer, at, n);
    for (let i = 0; i < n; i++) v[i] = Math.random() - 0.5;
    return at;
  }
  mark(): number { return this.stack.length; }
  release(mark: number): void { while (this.stack.length > mark) this.free(); }
}

function baselineModule(ref: string): WebAssembly.Module {
  const file = execFileSync('git', ['show', `${ref}:packages/backend/src/wasm-kernels.generated.ts`], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const m = /SHARED_KERNELS_WASM_BASE64 = '([^']+)'/.exec(file);
  if (m == null) throw new Error(`no SHARED_KERNELS_WASM_BASE64 in ${ref}`);
  return new WebAssembly.Module(Buffer.from(m[1], 'base64'));
}

/** Median wall and process-CPU microseconds per product of each config, interleaved repetitions. */
function measure(arena: Arena, configs: Config[], p: Product, reps: number): { wall: number[]; cpu: number[] } {
  const mark = arena.mark();
  const s = p.shape;
  const ptr = {
    a: arena.floats((s.aBatched ? s.batch : 1) * s.M * s.K),
    b: arena.floats((s.bBatched ? s.batch : 1) * s.K * s.N),
    bias: p.bias ? arena.floats(s.N) : 0,
    out: arena.floats(s.batch * s.M * s.N),
  };
  // calls per sample: about 4 ms of the slowest config, at least 1
  for (const c of configs) c.engine.gemmAt(ptr, s);
  const t0 = performance.now();
  for (const c of configs) c.engine.gemmAt(ptr, s);
  const calls = Math.max(1, Math.round((4 * configs.length) / Math.max(performance.now() - t0, 1e-3)));
  const wall = configs.map(() => [] as number[]), cpu = configs.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    configs.forEach((c, k) => {
      // let the workers of the previous config finish their spin-wait first (it would count here)
      Atomics.wait(pause, 0, 0, 2);
      const c0 = process.cpuUsage(), w0 = performance.now();
      for (let i = 0; i < calls; i++) c.engine.gemmAt(ptr, s);
      const w = performance.now() - w0, cu = process.cpuUsage(c0);
      wall[k].push((1000 * w) / calls);
      cpu[k].push((cu.user + cu.system) / calls);
    });
  }
  arena.release(mark);
  return { wall: wall.map(median), cpu: cpu.map(median) };
}

const PEAK_SOURCE = `
export function peak(n: i32, fma: i32): f32 {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
  // x changes every iteration (one add per 10 multiply-adds, not counted), so no product can be
  // hoisted out of the loop; the 10 accumulators cover the add (or FMA) latency
  let x = f32x4.splat(<f32>n);
  const y = f32x4.splat(1e-7), z = f32x4.splat(2e-7), d = f32x4.splat(1e-3);
  if (fma == 0) {
    for (let i = 0; i < n; i++) {
      x = f32x4.add(x, d);
      a0 = f32x4.add(a0, f32x4.mul(x, y)); a1 = f32x4.add(a1, f32x4.mul(x, z)); a2 = f32x4.add(a2, f32x4.mul(x, y));
      a3 = f32x4.add(a3, f32x4.mul(x, z)); a4 = f32x4.add(a4, f32x4.mul(x, y)); a5 = f32x4.add(a5, f32x4.mul(x, z));
      a6 = f32x4.add(a6, f32x4.mul(x, y)); a7 = f32x4.add(a7, f32x4.mul(x, z)); a8 = f32x4.add(a8, f32x4.mul(x, y));
      a9 = f32x4.add(a9, f32x4.mul(x, z));
    }
  } else if (ASC_FEATURE_RELAXED_SIMD) {
    for (let i = 0; i < n; i++) {
      x = f32x4.add(x, d);
      a0 = f32x4.relaxed_madd(x, y, a0); a1 = f32x4.relaxed_madd(x, z, a1); a2 = f32x4.relaxed_madd(x, y, a2);
      a3 = f32x4.relaxed_madd(x, z, a3); a4 = f32x4.relaxed_madd(x, y, a4); a5 = f32x4.relaxed_madd(x, z, a5);
      a6 = f32x4.relaxed_madd(x, y, a6); a7 = f32x4.relaxed_madd(x, z, a7); a8 = f32x4.relaxed_madd(x, y, a8);
      a9 = f32x4.relaxed_madd(x, z, a9);
    }
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)), f32x4.add(a8, a9)));
  return f32x4.extract_lane(s, 0);
}
`;

async function compilePeak(relaxed: boolean): Promise<Uint8Array<ArrayBuffer>> {
  // a module name TypeScript does not resolve: the compiler's own typings redeclare `require`
  const ascModule: string = 'assemblyscript/asc';
  const asc = (await import(ascModule)) as { main: (args: string[], io: object) => Promise<{ error: Error | null; stderr: { toString(): string } }> };
  let binary: Uint8Array | undefined;
  const { error, stderr } = await asc.main(['peak.ts', '--outFile', 'peak.wasm', '-O3', '--runtime', 'stub', '--use', 'abort=', '--enable', relaxed ? 'simd,relaxed-simd' : 'simd'], {
    readFile: (name: string) => (name === 'peak.ts' ? PEAK_SOURCE : null),
    writeFile: (name: string, contents: Uint8Array) => { if (name.endsWith('.wasm')) binary = contents; },
    listFiles: () => [],
  });
  if (error != null || binary == null) throw new Error(`asc failed: ${error?.message}\n${stderr.toString()}`);
  return new Uint8Array(binary);
}

// Runs peak(n, fma) on `threads` threads at once (workers plus this one): GFLOP/s of wall time (the
// threads' rates summed) and per second of process CPU time (what a loaded machine leaves intact).
async function peakRate(binary: Uint8Array<ArrayBuffer>, threads: number, fma: boolean, n: number): Promise<{ wall: number; cpu: number }> {
  const flops = n * 10 * 8;
  const source = `const { parentPort, workerData } = require('node:worker_threads');
const { peak } = new WebAssembly.Instance(new WebAssembly.Module(workerData.binary), { env: {} }).exports;
peak(1000, workerData.fma);
const t = performance.now(); peak(workerData.n, workerData.fma); parentPort.postMessage(performance.now() - t);`;
  const workers = Array.from({ length: threads - 1 }, () => new Worker(source, { eval: true, workerData: { binary, n, fma: fma ? 1 : 0 } }));
  const done = workers.map((w) => new Promise<number>((resolve, reject) => { w.once('message', resolve); w.once('error', reject); }));
  const { peak } = new WebAssembly.Instance(new WebAssembly.Module(binary), { env: {} }).exports as { peak: (n: number, fma: number) => number };
  peak(1000, fma ? 1 : 0);
  const c0 = process.cpuUsage(), t = performance.now();
  peak(n, fma ? 1 : 0);
  const own = performance.now() - t;
  const times = [own, ...(await Promise.all(done))];
  const cpu = process.cpuUsage(c0);
  await Promise.all(workers.map((w) => w.terminate()));
  return { wall: times.reduce((sum, ms) => sum + flops / ms / 1e6, 0), cpu: (threads * flops) / (cpu.user + cpu.system) / 1e3 };
}

async function main(argv: string[]): Promise<void> {
  const o = new Command('gemm-shapes')
    .option('--shapes <file>', 'products recorded by gemm-capture.ts', path.join(__dirname, 'gemm-shapes-256x4.json'))
    .option('--baseline <ref>', 'git ref whose committed kernels to compare against ("" for none)', 'main')
    .option('--reps <n>', 'interleaved repetitions (medians)', (v) => Number(v), 21)
    .option('--no-bert', 'skip the bert-base layer products')
    .option('--only <text>', 'only products whose label contains this')
    .parse(argv)
    .opts<{ shapes: string; baseline: string; reps: number; bert: boolean; only?: string }>();
  const recorded = JSON.parse(readFileSync(o.shapes, 'utf8')) as { model: string; steps: number; products: CapturedShape[] };
  let products = [...recorded.products.map(fromCapture), ...(o.bert ? [...bertBase(96), ...bertBase(256)] : [])];
  if (o.only != null) products = products.filter((p) => p.label.includes(o.only ?? ''));

  const arena = new Arena();
  const builds: { name: string; options: ConstructorParameters<typeof GemmEngine>[3] }[] = [];
  if (o.baseline !== '') builds.push({ name: `base(${o.baseline})`, options: { module: baselineModule(o.baseline) } });
  builds.push({ name: 'plain', options: { kernel: 'plain' } });
  if (relaxedSimdAvailable()) builds.push({ name: 'fma', options: { kernel: 'fma' } });
  const configs: Config[] = [];
  for (const threads of [1, 2]) for (const b of builds) configs.push({ name: `${b.name} ${threads}t`, threads, engine: new GemmEngine(arena.memory, arena, threads, b.options) });
  for (let i = 0; i < 100 && configs.some((c) => c.engine.readyWorkers() < c.threads - 1); i++) await new Promise((r) => setTimeout(r, 20));

  console.log(`# GEMM shapes: ${recorded.model} training step (${o.shapes}, ${recorded.steps} steps recorded)${o.bert ? ' and a bert-base layer' : ''}`);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`medians of ${o.reps} interleaved repetitions; relaxed SIMD ${relaxedSimdAvailable() ? 'available' : 'not available (node --experimental-wasm-relaxed-simd on Node 20)'}\n`);
  const results = products.map((p) => ({ p, ...measure(arena, configs, p, o.reps) }));

  const head = configs.map((c) => c.name);
  console.log(`| product | MFLOP | per step | ${head.map((h) => `${h} GFLOP/s`).join(' | ')} | ${head.map((h) => `${h} CPU us`).join(' | ')} |`);
  console.log(`|---|---:|---:|${head.map(() => '---:').join('|')}|${head.map(() => '---:').join('|')}|`);
  for (const r of results) {
    const f = flopsOf(r.p.shape);
    console.log(`| ${r.p.label} | ${(f / 1e6).toFixed(2)} | ${r.p.perStep || ''} | ${r.wall.map((us) => (f / us / 1e3).toFixed(1)).join(' | ')} | ${r.cpu.map((us) => us.toFixed(0)).join(' | ')} |`);
  }
  // per group: the time of all its products (a training step: weighted by calls per step)
  console.log(`\n| group | GFLOP | ${head.map((h) => `${h} ms (GFLOP/s)`).join(' | ')} | ${head.map((h) => `${h} CPU ms (GFLOP per CPU s)`).join(' | ')} |`);
  console.log(`|---|---:|${head.map(() => '---:').join('|')}|${head.map(() => '---:').join('|')}|`);
  for (const group of [...new Set(results.map((r) => r.p.group))]) {
    const rows = results.filter((r) => r.p.group === group);
    const weight = (r: (typeof rows)[number]) => (group === 'step' ? r.p.perStep : 1);
    const flops = rows.reduce((n, r) => n + weight(r) * flopsOf(r.p.shape), 0);
    const ms = configs.map((_, k) => rows.reduce((n, r) => n + (weight(r) * r.wall[k]) / 1000, 0));
    const cpu = configs.map((_, k) => rows.reduce((n, r) => n + (weight(r) * r.cpu[k]) / 1000, 0));
    console.log(`| ${group === 'step' ? `${recorded.model} step (per step)` : group} | ${(flops / 1e9).toFixed(3)} | ${ms.map((m) => `${m.toFixed(1)} (${(flops / m / 1e6).toFixed(1)})`).join(' | ')} | ${cpu.map((m) => `${m.toFixed(1)} (${(flops / m / 1e6).toFixed(1)})`).join(' | ')} |`);
  }
  await Promise.all(configs.map((c) => c.engine.dispose()));

  const binary = await compilePeak(relaxedSimdAvailable());
  const rows: string[] = [];
  for (const fma of relaxedSimdAvailable() ? [false, true] : [false]) {
    for (const threads of [1, 2]) {
      const rates: { wall: number; cpu: number }[] = [];
      for (let r = 0; r < 7; r++) rates.push(await peakRate(binary, threads, fma, 5e7));
      const wall = rates.map((r) => r.wall), cpu = rates.map((r) => r.cpu);
      rows.push(`| ${fma ? 'relaxed_madd' : 'mul + add'} | ${threads} | ${median(wall).toFixed(1)} | ${Math.max(...wall).toFixed(1)} | ${median(cpu).toFixed(1)} |`);
    }
  }
  console.log(`\nSIMD peak (10 independent f32x4 accumulators in registers, 7 runs):\n\n| loop | threads | median GFLOP/s | best GFLOP/s | GFLOP per CPU second |\n|---|---:|---:|---:|---:|\n${rows.join('\n')}`);
}

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
