import { sumSquaresInKernelOrder } from './testing/sum-squares-order';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { defaultGemmKernel, defaultGemmThreads, GemmEngine, relaxedSimdAvailable, setGemmThreads, type GemmShape } from './gemm-engine';
import { importMemoryAsShared, sharedWasmHeap } from './shared-heap';
import { adamwUpdate } from './adamw-update';
import { heapEngine } from './heap-kernels';
import { useBackend } from './use-backend';

// The engine's products against a float64 re-computation, for every layout, batch broadcast, bias,
// edge sizes (tails of the 4-row x 8-column blocks, K = 0) and 1 or 2 threads. Tolerance: the
// float32 sum of K products, |err| <= 1e-5 (K <= 300, values in [-0.5, 0.5]).

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function reference(a: Float32Array, b: Float32Array, bias: Float32Array | undefined, s: GemmShape): Float64Array {
  const { batch, M, K, N, transposeA, transposeB, aBatched, bBatched } = s;
  const out = new Float64Array(batch * M * N);
  for (let t = 0; t < batch; t++) {
    const ao = aBatched ? t * M * K : 0, bo = bBatched ? t * K * N : 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = bias ? bias[j] : 0;
        for (let p = 0; p < K; p++) sum += a[ao + (transposeA ? p * M + i : i * K + p)] * b[bo + (transposeB ? j * K + p : p * N + j)];
        out[t * M * N + i * N + j] = sum;
      }
    }
  }
  return out;
}

// An engine on a memory of its own (shared or not) with a bump allocator: operands are written
// into it, the product read back, the region reused by the next call.
class TestEngine {
  readonly engine: GemmEngine;
  private top: number;
  private readonly base: number;
  constructor(threads: number, shared = true) {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 4096, shared });
    const alloc = (bytes: number) => {
      const at = Math.ceil(this.top / 64) * 64;
      this.top = at + bytes;
      if (this.top > memory.buffer.byteLength) memory.grow(Math.ceil((this.top - memory.buffer.byteLength) / 65536));
      return at;
    };
    this.top = 64;
    this.engine = new GemmEngine(memory, { malloc: alloc, free: () => undefined }, threads);
    this.base = this.top;
  }
  gemm(x: { a: Float32Array; b: Float32Array; bias?: Float32Array; out: Float32Array }, s: GemmShape): void {
    this.top = this.base;
    const put = (v: Float32Array) => {
      const at = Math.ceil(this.top / 64) * 64;
      this.top = at + v.length * 4;
      const { memory } = this.engine;
      if (this.top > memory.buffer.byteLength) memory.grow(Math.ceil((this.top - memory.buffer.byteLength) / 65536));
      new Float32Array(memory.buffer).set(v, at / 4);
      return at;
    };
    const a = put(x.a), b = put(x.b), bias = x.bias ? put(x.bias) : 0, out = put(x.out);
    this.engine.gemmAt({ a, b, bias, out }, s);
    x.out.set(new Float32Array(this.engine.memory.buffer, out, x.out.length));
  }
}

const sizes: [batch: number, M: number, K: number, N: number, aBatched: boolean, bBatched: boolean][] = [
  [1, 1, 1, 1, false, false],
  [1, 5, 7, 13, false, false],
  [1, 4, 3, 8, false, false],
  [1, 6, 0, 9, false, false],
  [3, 9, 33, 17, true, true],
  [4, 6, 5, 40, true, false],
  [4, 6, 5, 40, false, true],
  [1, 96, 300, 200, false, false], // large enough to be split over the threads
  [6, 48, 64, 48, true, true],
];

describe.each([[1, true], [2, true], [1, false]])('GemmEngine with %i thread(s), shared memory %s', (threads, shared) => {
  const engine = new TestEngine(threads, shared);
  afterAll(() => engine.engine.dispose());

  it('matches a float64 product for every layout, batch broadcast and bias', async () => {
    // workers start asynchronously; a product never waits for them, so give them a moment
    for (let i = 0; i < 50 && engine.engine.readyWorkers() < threads - 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(engine.engine.readyWorkers()).toBe(threads - 1);
    const next = rng(7);
    let worst = 0;
    for (const [batch, M, K, N, aBatched, bBatched] of sizes) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          for (const withBias of [false, true]) {
            const s: GemmShape = { batch, M, K, N, transposeA, transposeB, aBatched, bBatched };
            const a = Float32Array.from({ length: (aBatched ? batch : 1) * M * K }, next);
            const b = Float32Array.from({ length: (bBatched ? batch : 1) * K * N }, next);
            const bias = withBias ? Float32Array.from({ length: N }, next) : undefined;
            const out = new Float32Array(batch * M * N).fill(NaN);
            engine.gemm({ a, b, bias, out }, s);
            const ref = reference(a, b, bias, s);
            for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - out[i]) || (Number.isNaN(out[i]) ? Infinity : 0));
          }
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('throws when a share traps (operands out of the memory) and keeps working afterwards', () => {
    const s: GemmShape = { batch: 1, M: 96, K: 300, N: 200, transposeA: false, transposeB: false, aBatched: false, bBatched: false };
    expect(() => engine.engine.gemmAt({ a: 0xf0000000, b: 0xf0000000, bias: 0, out: 0xf0000000 }, s)).toThrow();
    const a = new Float32Array(96 * 300).fill(1), b = new Float32Array(300 * 200).fill(0.5), out = new Float32Array(96 * 200);
    engine.gemm({ a, b, out }, s);
    expect(out.every((v) => v === 150)).toBe(true);
  });
});

/** Runs `f` on an engine with 1 thread and one with 2 (its worker started), then disposes both. */
async function onOneAndTwoThreads(f: (e: GemmEngine) => void): Promise<void> {
  const engines = [new TestEngine(1), new TestEngine(2)];
  try {
    for (let i = 0; i < 50 && engines[1].engine.readyWorkers() < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(engines[1].engine.readyWorkers()).toBe(1);
    for (const e of engines) f(e.engine);
  } finally {
    await Promise.all(engines.map((e) => e.engine.dispose()));
  }
}

/** Grows an engine's memory to at least `bytes`. */
function reserve(memory: WebAssembly.Memory, bytes: number): void {
  if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
}

describe('GemmEngine.geluAt', () => {
  // Chunked over the threads, GELU and its gradient must equal the kernel run over the whole array
  // on one thread, bit for bit (elementwise; the length leaves a tail that is not a multiple of 4).
  it('equals the whole-array kernel bit for bit on 1 and 2 threads, value and gradient', async () => {
    const n = 100_003;
    const next = rng(9);
    const x = Float32Array.from({ length: n }, () => next() * 12);
    const dy = Float32Array.from({ length: n }, next);
    const results: Float32Array[] = [];
    await onOneAndTwoThreads((engine) => {
      const { memory, kernels } = engine;
      const bytes = 4 * n + 64;
      const base = 1 << 20;
      reserve(memory, base + 5 * bytes);
      const [px, pdy, out, whole, outGrad] = [0, 1, 2, 3, 4].map((k) => base + k * bytes);
      new Float32Array(memory.buffer, px, n).set(x);
      new Float32Array(memory.buffer, pdy, n).set(dy);
      engine.geluAt(px, 0, out, n);
      kernels.gelu(px, whole, n);
      expect(Buffer.from(memory.buffer, out, 4 * n).equals(Buffer.from(memory.buffer, whole, 4 * n))).toBe(true);
      engine.geluAt(px, pdy, outGrad, n);
      kernels.geluGrad(px, pdy, whole, n);
      expect(Buffer.from(memory.buffer, outGrad, 4 * n).equals(Buffer.from(memory.buffer, whole, 4 * n))).toBe(true);
      results.push(new Float32Array(memory.buffer.slice(out, out + 4 * n)));
    });
    expect(Buffer.from(results[0].buffer).equals(Buffer.from(results[1].buffer))).toBe(true);
  });
});

describe('GemmEngine.gemmManyAt', () => {
  // Several products in one job must give each product's gemmAt bits, on 1 and 2 threads: a dense
  // layer's two gradient products (A^T and B^T layouts), one with bias, a B too large to pack all
  // panels up front (packAll 0), a product with no rows (skipped) and tiny ones.
  it('gives each product what gemmAt gives it alone, bit for bit, on 1 and 2 threads', async () => {
    const next = rng(13);
    const shape = (M: number, K: number, N: number, transposeA: boolean, transposeB: boolean): GemmShape => ({ batch: 1, M, K, N, transposeA, transposeB, aBatched: false, bBatched: false });
    const products = [
      { s: shape(104, 1024, 256, false, true), bias: false },
      { s: shape(256, 104, 1024, true, false), bias: false },
      { s: shape(37, 300, 130, false, false), bias: true },
      { s: shape(20, 600, 200, false, false), bias: false },
      { s: shape(0, 5, 9, false, false), bias: false },
      { s: shape(3, 2, 5, true, true), bias: true },
    ].map(({ s, bias }) => ({ s, a: Float32Array.from({ length: s.M * s.K }, next), b: Float32Array.from({ length: s.K * s.N }, next), bias: bias ? Float32Array.from({ length: s.N }, next) : undefined }));
    const results: Buffer[] = [];
    await onOneAndTwoThreads((engine) => {
      const { memory } = engine;
      // above the scratch the engine's bump allocator hands out (it never frees)
      let at = 64 << 20;
      const put = (v: Float32Array | undefined) => {
        if (v == null) return 0;
        const p = at;
        reserve(memory, at + 4 * v.length + 64);
        new Float32Array(memory.buffer).set(v, p / 4);
        at += 4 * v.length + 64;
        return p;
      };
      const placed = products.map(({ s, a, b, bias }) => ({ s, p: { a: put(a), b: put(b), bias: put(bias), out: put(new Float32Array(s.M * s.N)) }, alone: put(new Float32Array(s.M * s.N)) }));
      engine.gemmManyAt(placed.map(({ p, s }) => ({ p, s })));
      for (const { s, p, alone } of placed) {
        engine.gemmAt({ ...p, out: alone }, s);
        expect(Buffer.from(memory.buffer, p.out, 4 * s.M * s.N).equals(Buffer.from(memory.buffer, alone, 4 * s.M * s.N))).toBe(true);
      }
      results.push(Buffer.concat(placed.map(({ s, p }) => Buffer.from(memory.buffer.slice(p.out, p.out + 4 * s.M * s.N)))));
    });
    expect(results[0].equals(results[1])).toBe(true);
  });

  it('refuses batched products', () => {
    const e = new TestEngine(1);
    expect(() => e.engine.gemmManyAt([{ p: { a: 64, b: 64, bias: 0, out: 64 }, s: { batch: 2, M: 1, K: 1, N: 1, transposeA: false, transposeB: false, aBatched: true, bBatched: true } }])).toThrow('products must have batch 1, got 2');
  });
});

describe('GemmEngine.sumSquaresAt', () => {
  // Each array's sum of squares in float64 in the kernel's order, the same with 1 and 2 threads;
  // the second thread must really have joined (arrays over 64k floats).
  it('sums each array in float64 in a fixed order, identically on 1 and 2 threads', async () => {
    const next = rng(5);
    const arrays = [70_000, 1, 0, 100_003, 4096, 33].map((n) => Float32Array.from({ length: n }, next));
    const want = arrays.map(sumSquaresInKernelOrder);
    await onOneAndTwoThreads((engine) => {
      const { memory } = engine;
      reserve(memory, (1 << 20) + arrays.reduce((n, x) => n + 4 * x.length + 64, 0));
      let at = 1 << 20;
      const pointers = arrays.map((x) => {
        const p = at;
        new Float32Array(memory.buffer).set(x, p / 4);
        at += 4 * x.length + 64;
        return p;
      });
      expect(Array.from(engine.sumSquaresAt(pointers, arrays.map((x) => x.length)))).toEqual(want);
      expect(engine.sumSquaresAt([], []).length).toBe(0);
      expect(() => engine.sumSquaresAt([64], [])).toThrow('1 pointers but 0 lengths');
    });
  });
});

describe('GemmEngine results', () => {
  it('are bit-identical whatever the thread count (each output is summed in one fixed order)', async () => {
    const one = new TestEngine(1), two = new TestEngine(2);
    try {
      for (let i = 0; i < 50 && two.engine.readyWorkers() < 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(two.engine.readyWorkers()).toBe(1);
      const next = rng(11);
      for (const s of [
        { batch: 1, M: 96, K: 300, N: 200, transposeA: false, transposeB: true, aBatched: false, bBatched: false },
        { batch: 1, M: 200, K: 96, N: 136, transposeA: true, transposeB: false, aBatched: false, bBatched: false },
        { batch: 12, M: 48, K: 64, N: 48, transposeA: false, transposeB: false, aBatched: true, bBatched: true },
      ]) { // each over the 2e6 flops below which a product stays on one thread
        const a = Float32Array.from({ length: s.batch * s.M * s.K }, next);
        const b = Float32Array.from({ length: s.batch * s.K * s.N }, next);
        const out1 = new Float32Array(s.batch * s.M * s.N), out2 = new Float32Array(s.batch * s.M * s.N);
        one.gemm({ a, b, out: out1 }, s);
        two.gemm({ a, b, out: out2 }, s);
        expect(Buffer.from(out2.buffer).equals(Buffer.from(out1.buffer))).toBe(true);
      }
    } finally {
      await Promise.all([one.engine.dispose(), two.engine.dispose()]);
    }
  });
});

// Puts an environment variable back as it was after each test of the enclosing describe.
function restoreEnvAfterEach(name: string): void {
  const saved = process.env[name];
  afterEach(() => {
    if (saved == null) delete process.env[name];
    else process.env[name] = saved;
  });
}

describe('thread count settings', () => {
  restoreEnvAfterEach('SPERT_WASM_THREADS');

  it('SPERT_WASM_THREADS sets the default, and a bad value is an error that names it', () => {
    process.env.SPERT_WASM_THREADS = '3';
    expect(defaultGemmThreads()).toBe(3);
    delete process.env.SPERT_WASM_THREADS;
    expect(defaultGemmThreads()).toBeGreaterThanOrEqual(1);
    expect(defaultGemmThreads()).toBeLessThanOrEqual(8);
    process.env.SPERT_WASM_THREADS = 'two';
    expect(() => defaultGemmThreads()).toThrow(/SPERT_WASM_THREADS must be a positive integer, got "two"/);
  });

  it('setGemmThreads and the engine reject a count that is not a positive integer', () => {
    expect(() => setGemmThreads(0)).toThrow(/positive integer, got 0/);
    expect(() => setGemmThreads(1.5)).toThrow(/positive integer, got 1.5/);
    expect(() => new TestEngine(0)).toThrow(/threads must be a positive integer, got 0/);
  });

  it('an engine on an unshared memory uses the calling thread only', async () => {
    const e = new TestEngine(4, false);
    expect(e.engine.threads).toBe(1);
    expect(e.engine.readyWorkers()).toBe(0);
    await e.engine.dispose();
  });
});

// The fma build of the kernels, run in a child process that has relaxed SIMD (Node 20 needs the
// V8 flag): against float64 within the tolerance above, different from the plain build in some
// bits (so the fused multiply-add really runs), and bit-identical however the columns are split
// into chunks (what makes the results independent of the thread count).
const FMA_CHILD = `
const { readFileSync } = require('node:fs');
const text = readFileSync(process.argv[1], 'utf8');
const mod = (name) => new WebAssembly.Module(Buffer.from(new RegExp(name + " = '([^']+)'").exec(text)[1], 'base64'));
const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
const fma = new WebAssembly.Instance(mod('SHARED_FMA_KERNELS_WASM_BASE64'), { env: { memory } }).exports;
const plain = new WebAssembly.Instance(mod('SHARED_KERNELS_WASM_BASE64'), { env: { memory } }).exports;
const M = 37, K = 300, N = 45, f = new Float32Array(memory.buffer);
let s = 7;
const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 - 0.5; };
const a = 1024, b = a + 4 * M * K, bias = b + 4 * K * N, counter = bias + 4 * N, out = counter + 64;
for (let i = 0; i < M * K; i++) f[a / 4 + i] = next();
for (let i = 0; i < K * N; i++) f[b / 4 + i] = next();
for (let i = 0; i < N; i++) f[bias / 4 + i] = next();
// the first \`head\` chunks of \`size\` columns, then chunks of 8
const run = (k, transposeB, size, o, head = Math.ceil(N / size)) => {
  new Int32Array(memory.buffer)[counter / 4] = 0;
  const chunks = head + Math.ceil(Math.max(0, N - head * size) / 8);
  k.gemmChunks(a, 0, K, 1, b, 0, transposeB ? 1 : N, transposeB ? K : 1, o, 0, N, bias, M, K, N, o + 4 * M * N + 64, 0, 1, counter, 0, size, chunks, head);
  return Array.from(f.subarray(o / 4, o / 4 + M * N));
};
let maxErr = 0, differs = 0, chunkDiffs = 0;
for (const transposeB of [false, true]) {
  const one = run(fma, transposeB, N, out), split = run(fma, transposeB, 8, out), two = run(plain, transposeB, N, out);
  const mixed = run(fma, transposeB, 16, out, 1);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let ref = f[bias / 4 + j];
    for (let p = 0; p < K; p++) ref += f[a / 4 + i * K + p] * f[b / 4 + (transposeB ? j * K + p : p * N + j)];
    maxErr = Math.max(maxErr, Math.abs(one[i * N + j] - ref));
    if (one[i * N + j] !== two[i * N + j]) differs++;
    if (one[i * N + j] !== split[i * N + j] || one[i * N + j] !== mixed[i * N + j]) chunkDiffs++;
  }
}
console.log(JSON.stringify({ maxErr, differs, chunkDiffs }));
`;

describe('fma kernels', () => {
  restoreEnvAfterEach('SPERT_WASM_FMA');

  it('match float64 within the tolerance, differ from the plain build by rounding only, and do not depend on the split', () => {
    const flags = relaxedSimdAvailable() ? [] : ['--experimental-wasm-relaxed-simd'];
    const out = execFileSync(process.execPath, [...flags, '-e', FMA_CHILD, join(__dirname, 'wasm-kernels.generated.ts')], { encoding: 'utf8' });
    const r = JSON.parse(out) as { maxErr: number; differs: number; chunkDiffs: number };
    expect(r.maxErr).toBeLessThan(1e-5);
    expect(r.differs).toBeGreaterThan(0);
    expect(r.chunkDiffs).toBe(0);
  });

  it('are opt-in: plain unless SPERT_WASM_FMA=1 (which needs relaxed SIMD), a bad value is an error', () => {
    delete process.env.SPERT_WASM_FMA;
    expect(defaultGemmKernel()).toBe('plain');
    process.env.SPERT_WASM_FMA = '0';
    expect(defaultGemmKernel()).toBe('plain');
    process.env.SPERT_WASM_FMA = 'yes';
    expect(() => defaultGemmKernel()).toThrow(/SPERT_WASM_FMA must be 0 or 1, got "yes"/);
    process.env.SPERT_WASM_FMA = '1';
    if (relaxedSimdAvailable()) expect(defaultGemmKernel()).toBe('fma');
    else expect(() => defaultGemmKernel()).toThrow(/experimental-wasm-relaxed-simd/);
  });
});

describe('wasm kernels', () => {
  it('are compiled from the current assembly/kernels.ts (scripts/build-wasm.mjs --check)', () => {
    const root = join(__dirname, '..');
    expect(() => execFileSync(process.execPath, [join(root, 'scripts', 'build-wasm.mjs'), '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});

describe('shared wasm heap', () => {
  // (module (memory 2 5) (export "m" (memory 0)) (data (i32.const 8) "\2a"))
  const tiny = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 1, 2, 5, 7, 5, 1, 1, 0x6d, 2, 0, 11, 7, 1, 0, 0x41, 8, 0x0b, 1, 0x2a]);

  it('rewrites a module to import its memory as shared, with the same limits and data', async () => {
    const { binary, initial, maximum } = importMemoryAsShared(tiny);
    expect([initial, maximum]).toEqual([2, 5]);
    const mod = await WebAssembly.compile(binary);
    expect(WebAssembly.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 5, shared: true });
    const { exports } = await WebAssembly.instantiate(mod, { env: { memory } });
    expect(exports.m).toBe(memory);
    expect(new Uint8Array(memory.buffer)[8]).toBe(42);
  });

  it('rejects what it cannot rewrite', () => {
    expect(() => importMemoryAsShared(Uint8Array.from([1, 2, 3]))).toThrow(/not a wasm binary/);
    expect(() => importMemoryAsShared(tiny.subarray(0, 8))).toThrow(/defines no memory/);
  });

  it('is what useBackend("wasm") starts, and products and AdamW run on it in place', async () => {
    await useBackend('wasm');
    expect(sharedWasmHeap(tf.backend())).toBeDefined();
    // a product big enough to be split over the threads, against the cpu backend
    const next = rng(3);
    const a = Array.from({ length: 96 * 200 }, next), b = Array.from({ length: 200 * 120 }, next);
    const onWasm = tf.matMul(tf.tensor2d(a, [96, 200]), tf.tensor2d(b, [120, 200]), false, true).dataSync();
    // AdamW over more values than one thread takes, once the heap engine's worker is up
    const engine = heapEngine(tf.backend() as never)!;
    for (let i = 0; i < 50 && engine.readyWorkers() < engine.threads - 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(engine.readyWorkers()).toBe(engine.threads - 1);
    const n = 300_001;
    const param = tf.variable(tf.tensor1d(Array.from({ length: n }, next)));
    const grad = tf.tensor1d(Array.from({ length: n }, next));
    const m = tf.variable(tf.zeros([n])), v = tf.variable(tf.zeros([n]));
    const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.1, gradScale: 1 };
    const p0 = param.dataSync().slice(), g0 = grad.dataSync().slice();
    adamwUpdate({ param, grad, expAvg: m, expAvgSq: v, ...hyper });
    const p1 = param.dataSync();
    let adamErr = 0;
    for (let i = 0; i < n; i += 997) {
      const mi = 0.1 * g0[i], vi = 0.001 * g0[i] * g0[i];
      const q = p0[i] - 0.01 * mi / (Math.sqrt(vi) + 1e-6);
      adamErr = Math.max(adamErr, Math.abs(q * (1 - 0.001) - p1[i]));
    }
    expect(adamErr).toBeLessThanOrEqual(1e-6);
    await useBackend('cpu');
    const onCpu = tf.matMul(tf.tensor2d(a, [96, 200]), tf.tensor2d(b, [120, 200]), false, true).dataSync();
    let err = 0;
    for (let i = 0; i < onCpu.length; i++) err = Math.max(err, Math.abs(onCpu[i] - onWasm[i]));
    expect(err).toBeLessThanOrEqual(1e-5);
  });
});
