import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { PLAIN_FMA_KERNELS_WASM_BASE64, PLAIN_KERNELS_WASM_BASE64, SHARED_FMA_KERNELS_WASM_BASE64, SHARED_KERNELS_WASM_BASE64 } from './wasm-kernels.generated';
import { SpertError } from '@spert/core';

// Our own matrix products (and AdamW) for the wasm backend, from assembly/kernels.ts, on
// tfjs-backend-wasm's own heap so that operands are read where they lie. When that heap is a
// shared memory (shared-heap.ts) the main thread and worker threads each take chunks of the work
// with the same SIMD kernel; on an unshared heap the engine runs on the calling thread alone.
// tfjs-backend-wasm itself runs one thread in Node and hands products to XNNPACK, which repacks
// every weight matrix it has not seen (in training, all of them) and has no transposed layouts;
// this kernel reads any layout through strides and packs only 8-column panels.

/** Shape and layout of one (batched) product C = A B (+ bias). */
export interface GemmShape {
  /** Batch count of C. */
  batch: number;
  M: number;
  K: number;
  N: number;
  /** A is stored [K, M] (per batch) instead of [M, K]. */
  transposeA: boolean;
  /** B is stored [N, K] instead of [K, N]. */
  transposeB: boolean;
  /** A holds `batch` matrices (false: one, broadcast). */
  aBatched: boolean;
  /** B holds `batch` matrices (false: one, broadcast). */
  bBatched: boolean;
}

/** Byte offsets of the operands in the engine's memory; bias 0 = none. */
export interface GemmPointers {
  a: number;
  b: number;
  bias: number;
  out: number;
}

/** AdamW hyper-parameters of one update (see assembly/kernels.ts adamw). */
export interface AdamWScalars {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Factor applied to the gradient first (the clip coefficient; 1 = none). */
  gradScale: number;
}

/** Byte offsets of the AdamW operands (outputs may equal inputs). */
export interface AdamWPointers {
  p: number; g: number; m: number; v: number;
  pOut: number; mOut: number; vOut: number;
}

/** One parameter of an AdamW job: its operands, float count and weight decay. */
export interface AdamWItem extends AdamWPointers {
  n: number;
  weightDecay: number;
}

/** The exports of assembly/kernels.ts (arguments: byte pointers, counts, scalars; see there). */
export interface KernelExports {
  gemmChunks(...args: number[]): void;
  adamwTableChunks(table: number, count: number, lr: number, beta1: number, c1: number, beta2: number, c2: number, eps: number, gradScale: number, counter: number): void;
  gelu(x: number, y: number, n: number): void;
  geluGrad(x: number, dy: number, dx: number, n: number): void;
  sumSquaresChunks(ptrs: number, lens: number, count: number, out: number, counter: number): void;
  geluChunks(x: number, dy: number, out: number, n: number, grad: number, counter: number, size: number): void;
  layerNorm(x: number, gamma: number, beta: number, y: number, rows: number, H: number, eps: number): void;
  layerNormGrad(x: number, gamma: number, dy: number, dx: number, dgamma: number, dbeta: number, rows: number, H: number, eps: number, scratch: number): void;
  dropout(x: number, y: number, rows: number, inner: number, rowTable: number, seed: number, threshold: number, keep: number): void;
  spanMaxPool(x: number, ranges: number, dy: number, out: number, B: number, T: number, H: number, S: number, grad: number): void;
  columnSums(x: number, out: number, rows: number, cols: number): void;
  attentionChunks(...args: number[]): void;
  gemmTableChunks(table: number, count: number, counter: number, scratch: number, per: number, thread: number): void;
}

/**
 * Which build of the kernels an engine runs: 'fma' multiplies and adds in one relaxed-SIMD
 * instruction (f32x4.relaxed_madd: a fused multiply-add where the CPU has one, rounding once
 * instead of twice), 'plain' in two (the same results on every machine).
 */
export type GemmKernel = 'fma' | 'plain';

/** Byte offsets of an attention job's operands (see GemmEngine.attentionAt; unused ones 0). */
export interface AttentionPointers {
  q: number; k: number; v: number;
  /** The context (forward) or its gradient (backward). */
  o: number;
  probs: number;
  dq: number; dk: number; dv: number;
}

/** The shape and dropout of an attention job. */
export interface AttentionPlan {
  /** 5 ints a unit: first row, length L, offset of its L x L probabilities, b * heads + h, h. */
  units: ArrayLike<number>;
  /** Hidden size (heads x dh), the row stride of q, k, v and the context. */
  H: number;
  dh: number;
  /** Padded sequence length: dropout words are those of the padded [B, heads, T, T] tensor. */
  T: number;
  scale: number;
  dropout: boolean;
  seed: number;
  threshold: number;
  keep: number;
}

/** Options of a GemmEngine beyond its memory, allocator and thread count. */
export interface GemmEngineOptions {
  /** The kernel build (default: defaultGemmKernel()). */
  kernel?: GemmKernel;
  /** A compiled kernel module with the same exports to run instead (benchmarks compare builds with it). */
  module?: WebAssembly.Module;
}

/** Allocates byte ranges in the engine's memory. */
export interface HeapAllocator {
  malloc(bytes: number): number;
  free(pointer: number): void;
}

const ALIGN = 64;
// control[0] = job sequence number, [1] = last job done, [2] = command, [3] = worker ready,
// [4] = the last job failed, [7] = the job the worker may still join (JOIN); arguments from ARGS
// on (floats as Float32 in the same slots).
const ARGS = 8;
const CONTROL_INTS = ARGS + 32;
const OP_GEMM = 0, OP_STOP = 1, OP_ADAMW = 2, OP_SUMSQ = 3, OP_GELU = 4, OP_ATTENTION = 5, OP_GEMM_TABLE = 6;
// Below this many flops a product stays on the calling thread: waking a sleeping worker and hearing
// back took 75-90 us here (median round trip), about what 2 MFLOP take one thread.
const PARALLEL_MIN_FLOPS = 2e6;
const PARALLEL_MIN_ADAMW = 1 << 16;
const PARALLEL_MIN_SUMSQ = 1 << 16;
const PARALLEL_MIN_GELU = 1 << 15;
// floats per chunk of an AdamW job (64 KiB of each array)
const ADAMW_CHUNK = 1 << 14;
// Transposed-A products (weight gradients) pack all panels of B first; bound that scratch.
const PACK_ALL_MAX_BYTES = 64 << 20;

// gemmChunks arguments (assembly/kernels.ts) from control[ARGS]; the scratch
// argument is a base, each thread adding its index times control[PER_THREAD]. Floats of AdamW
// sit in the same slots as Float32. After a job the worker spins briefly before sleeping: the
// next product usually follows within a fraction of a millisecond, and a futex wake-up costs
// tens of microseconds.
const GEMM_ARGS = 23, GEMM_SCRATCH = 15;
// attentionChunks: 20 ints, 2 floats, then the thread index
const ATTENTION_INTS = 20;
const THREAD_INDEX = 5, PER_THREAD = 6, JOIN = 7;
const SPIN_MS = 0.3;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const ctl = new Int32Array(workerData.control);
const floats = new Float32Array(workerData.control);
const { gemmChunks, adamwTableChunks, sumSquaresChunks, geluChunks, attentionChunks, gemmTableChunks } = new WebAssembly.Instance(workerData.module, { env: { memory: workerData.memory } }).exports;
Atomics.store(ctl, 3, 1);
let seen = Atomics.load(ctl, 0);
for (;;) {
  const until = performance.now() + ${SPIN_MS};
  while (Atomics.load(ctl, 0) === seen && performance.now() < until);
  Atomics.wait(ctl, 0, seen);
  const seq = Atomics.load(ctl, 0);
  if (seq === seen) continue;
  seen = seq;
  // join the job unless the caller has already finished it alone and revoked it
  if (Atomics.compareExchange(ctl, ${JOIN}, seq, -seq) !== seq) continue;
  const op = Atomics.load(ctl, 2);
  if (op === ${OP_STOP}) break;
  try {
    const t = ctl[${THREAD_INDEX}], per = ctl[${PER_THREAD}];
    if (op === ${OP_GEMM}) {
      const args = Array.from(ctl.subarray(${ARGS}, ${ARGS} + ${GEMM_ARGS}));
      args[${GEMM_SCRATCH}] += t * per;
      gemmChunks(...args);
    } else if (op === ${OP_SUMSQ}) {
      sumSquaresChunks(...ctl.subarray(${ARGS}, ${ARGS} + 5));
    } else if (op === ${OP_ADAMW}) {
      adamwTableChunks(ctl[${ARGS}], ctl[${ARGS} + 1], ...floats.subarray(${ARGS} + 2, ${ARGS} + 9), ctl[${ARGS} + 9]);
    } else if (op === ${OP_GELU}) {
      geluChunks(...ctl.subarray(${ARGS}, ${ARGS} + 7));
    } else if (op === ${OP_GEMM_TABLE}) {
      gemmTableChunks(...ctl.subarray(${ARGS}, ${ARGS} + 5), t);
    } else if (op === ${OP_ATTENTION}) {
      attentionChunks(...ctl.subarray(${ARGS}, ${ARGS} + ${ATTENTION_INTS}), ...floats.subarray(${ARGS} + ${ATTENTION_INTS}, ${ARGS} + ${ATTENTION_INTS} + 2), t);
    }
    Atomics.store(ctl, 4, 0);
  } catch (e) {
    Atomics.store(ctl, 4, 1);
  }
  Atomics.store(ctl, 1, seq);
  Atomics.notify(ctl, 1);
}
`;

function decode(base64: string): WebAssembly.Module {
  return new WebAssembly.Module(Buffer.from(base64, 'base64'));
}

// compiled modules by build (shared / plain memory, fma / plain kernel), each decoded once
const modules = new Map<string, WebAssembly.Module>();

function kernelModule(shared: boolean, kernel: GemmKernel): WebAssembly.Module {
  const key = `${shared ? 'shared' : 'plain'}-${kernel}`;
  let m = modules.get(key);
  if (m == null) {
    const base64 = shared ? (kernel === 'fma' ? SHARED_FMA_KERNELS_WASM_BASE64 : SHARED_KERNELS_WASM_BASE64)
      : kernel === 'fma' ? PLAIN_FMA_KERNELS_WASM_BASE64 : PLAIN_KERNELS_WASM_BASE64;
    modules.set(key, m = decode(base64));
  }
  return m;
}

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const RELAXED_MADD_PROBE = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 1, 0x60, 3, 0x7b, 0x7b, 0x7b, 1, 0x7b,
  3, 2, 1, 0, 0x0a, 0x0d, 1, 0x0b, 0, 0x20, 0, 0x20, 1, 0x20, 2, 0xfd, 0x85, 0x02, 0x0b]);
let relaxedValid: boolean | undefined;

/**
 * Whether this runtime runs relaxed-SIMD wasm (a tiny module with f32x4.relaxed_madd validates).
 * Node 22+ does by default; Node 20's V8 only with `node --experimental-wasm-relaxed-simd`.
 */
export function relaxedSimdAvailable(): boolean {
  return relaxedValid ??= WebAssembly.validate(RELAXED_MADD_PROBE);
}

/**
 * The kernel build engines use by default: 'plain', or 'fma' when SPERT_WASM_FMA=1 (an error where
 * the runtime has no relaxed SIMD). Opt-in: FMA gained nothing measurable in a SpERT step here
 * (docs/benchmarks.md) and would make results depend on the Node version.
 */
export function defaultGemmKernel(): GemmKernel {
  const env = process.env.SPERT_WASM_FMA;
  if (env === '1') {
    if (!relaxedSimdAvailable()) {
      throw new SpertError('RUNTIME_UNAVAILABLE', 'SPERT_WASM_FMA=1 but this runtime has no relaxed SIMD (on Node 20 run node --experimental-wasm-relaxed-simd)');
    }
    return 'fma';
  }
  if (env != null && env !== '' && env !== '0') throw new SpertError('INVALID_OPTION', `SPERT_WASM_FMA must be 0 or 1, got "${env}"`);
  return 'plain';
}

interface WorkerSlot {
  worker: Worker;
  control: Int32Array;
  floats: Float32Array;
  seq: number;
  failed: boolean;
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * How a thread runs one product (`rows` rows of A, chunks of `chunkPanels` 8-column panels): the
 * element strides of A and B, whether a chunk's panels of B are packed up front, and the scratch
 * it needs (kernels.ts gemm).
 */
function productLayout(s: GemmShape, rows: number, chunkPanels: number): { sai: number; sap: number; sbp: number; sbj: number; packAll: 0 | 1; scratchBytes: number } {
  const { M, K, N, transposeA, transposeB } = s;
  const packedBytes = 32 * K * chunkPanels;
  // A is packed into 4-row strips; transposed A (weight gradients): all panels of a chunk up front,
  // an order a small B also suits
  const packAll = (transposeA || 32 * K * Math.ceil(N / 8) <= 256 * 1024) && packedBytes <= PACK_ALL_MAX_BYTES ? 1 : 0;
  return {
    sai: transposeA ? 1 : K, sap: transposeA ? M : 1, sbp: transposeB ? 1 : N, sbj: transposeB ? K : 1, packAll,
    scratchBytes: alignUp(16 * K * Math.ceil(rows / 4) + (packAll ? packedBytes : 32 * K) + 64),
  };
}
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Number of threads matrix products use by default: SPERT_WASM_THREADS, else the available cores (at most 8). */
export function defaultGemmThreads(): number {
  const env = process.env.SPERT_WASM_THREADS;
  if (env != null && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new SpertError('INVALID_OPTION', `SPERT_WASM_THREADS must be a positive integer, got "${env}"`);
    return n;
  }
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** SIMD matrix products and AdamW over one wasm memory, multi-threaded when the memory is shared. */
export class GemmEngine {
  readonly threads: number;
  /** The kernel build it runs ('custom' when a module was given). */
  readonly kernel: GemmKernel | 'custom';
  /** The kernels instantiated on the engine's memory, for the calling thread. */
  readonly kernels: KernelExports;
  private readonly workers: WorkerSlot[] = [];
  // the i32 chunk counter of the running job, in the shared memory
  private readonly counter: number;

  /** Runs on `memory`, allocating its scratch with `heap`; on a shared memory it starts `threads - 1` workers that do not keep the process alive, on an unshared one it uses the calling thread only. */
  constructor(readonly memory: WebAssembly.Memory, private readonly heap: HeapAllocator, threads = defaultGemmThreads(), options: GemmEngineOptions = {}) {
    if (!Number.isInteger(threads) || threads < 1) throw new SpertError('INVALID_OPTION', `GemmEngine: threads must be a positive integer, got ${threads}`);
    const shared = Object.prototype.toString.call(memory.buffer) === '[object SharedArrayBuffer]';
    this.threads = shared ? threads : 1;
    const kernel = options.kernel ?? defaultGemmKernel();
    if (kernel === 'fma' && !relaxedSimdAvailable()) throw new SpertError('RUNTIME_UNAVAILABLE', 'GemmEngine: the fma kernel needs relaxed SIMD, which this runtime lacks');
    this.kernel = options.module != null ? 'custom' : kernel;
    const module = options.module ?? kernelModule(shared, kernel);
    this.kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
    const counterBlock = heap.malloc(2 * ALIGN);
    if (counterBlock === 0) throw new SpertError('OUT_OF_MEMORY', 'GemmEngine: could not allocate its counter');
    this.counter = alignUp(counterBlock);
    for (let t = 1; t < this.threads; t++) {
      const buffer = new SharedArrayBuffer(CONTROL_INTS * 4);
      const control = new Int32Array(buffer);
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, memory, control: buffer } });
      worker.unref();
      const slot: WorkerSlot = { worker, control, floats: new Float32Array(buffer), seq: 0, failed: false };
      worker.on('error', () => { slot.failed = true; });
      worker.on('exit', () => { slot.failed = true; });
      this.workers.push(slot);
    }
  }

  /** Workers that have started and not failed (a job never waits for a worker to start). */
  readyWorkers(): number {
    return this.ready().length;
  }

  private ready(): WorkerSlot[] {
    return this.workers.filter((w) => !w.failed && Atomics.load(w.control, 3) === 1);
  }

  /** Stops the worker threads. */
  async dispose(): Promise<void> {
    for (const w of this.workers) {
      Atomics.store(w.control, 2, OP_STOP);
      Atomics.store(w.control, JOIN, Atomics.load(w.control, 0) + 1);
      Atomics.add(w.control, 0, 1);
      Atomics.notify(w.control, 0);
    }
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }

  // Resets the chunk counter, posts the job to `workers` (arguments laid out as ints,
  // floats, tail from control[ARGS]), takes chunks here too, then waits for the workers that
  // joined. A worker not yet running when this thread has taken the last chunk (asleep, or not
  // scheduled on a busy machine) is revoked instead of waited for: a product never waits for a
  // thread to wake up only to find no work left.
  private run(workers: WorkerSlot[], op: number, args: { ints: number[]; floats?: number[]; tail?: number[] }, perThread: number, own: () => void): void {
    const { ints, floats = [], tail = [] } = args;
    Atomics.store(new Int32Array(this.memory.buffer, this.counter, 1), 0, 0);
    const posted = workers;
    posted.forEach((w, i) => {
      w.control.set(ints, ARGS);
      w.floats.set(floats, ARGS + ints.length);
      w.control.set(tail, ARGS + ints.length + floats.length);
      w.control[THREAD_INDEX] = i + 1;
      w.control[PER_THREAD] = perThread;
      Atomics.store(w.control, 2, op);
      w.seq = Atomics.load(w.control, 0) + 1;
      Atomics.store(w.control, JOIN, w.seq);
      Atomics.store(w.control, 0, w.seq);
      Atomics.notify(w.control, 0);
    });
    let ownError: unknown;
    // even if our share fails, the workers must finish theirs before the counter is reused
    try { own(); } catch (e) { ownError = e; }
    let failed = false;
    for (const w of posted) {
      if (Atomics.compareExchange(w.control, JOIN, w.seq, 0) === w.seq) continue;
      let done: number;
      while ((done = Atomics.load(w.control, 1)) !== w.seq) {
        // threadId turns -1 as soon as a worker stops running; its 'exit' event cannot reach us here
        if (w.worker.threadId === -1) { w.failed = true; break; }
        Atomics.wait(w.control, 1, done, 1000);
      }
      if (w.failed || Atomics.load(w.control, 4) !== 0) failed = true;
    }
    if (ownError != null) throw ownError;
    if (failed) throw new SpertError('RUNTIME_UNAVAILABLE', 'GemmEngine: a worker thread failed while computing its share');
  }

  /** C = A B (+ bias) for operands already in the engine's memory. */
  gemmAt(p: GemmPointers, s: GemmShape): void {
    const { batch, M, K, N, transposeA, aBatched, bBatched } = s;
    if (batch * M * N === 0) return;
    // A row-major A broadcast against a single B is one taller product.
    let rows = M, count = batch;
    if (!transposeA && aBatched && !bBatched) { rows = batch * M; count = 1; }
    const flops = 2 * batch * M * K * N;
    const panels = Math.ceil(N / 8);
    const ready = flops < PARALLEL_MIN_FLOPS ? [] : this.ready();
    const threads = 1 + ready.length;
    // Chunks: about 4 per thread, so a late or slow thread evens out; whole batch entries when
    // batched, else whole 8-column panels.
    const byBatch = count > 1;
    const units = byBatch ? count : panels;
    const chunkUnits = Math.max(1, Math.ceil(units / (threads * 4)));
    // with helpers, the last `threads` chunks' worth of units go out one unit at a time (see kernels.ts)
    const tail = threads > 1 ? Math.min(units, threads * chunkUnits) : 0;
    const head = Math.ceil((units - tail) / chunkUnits);
    const chunks = head + Math.max(0, units - head * chunkUnits);
    const helpers = Math.min(threads, chunks) - 1;
    const { sai, sap, sbp, sbj, packAll, scratchBytes: perThread } = productLayout(s, rows, byBatch ? panels : chunkUnits);
    const block = this.heap.malloc(perThread * (helpers + 1) + ALIGN);
    if (block === 0) throw new SpertError('OUT_OF_MEMORY', `GemmEngine: could not allocate ${perThread * (helpers + 1)} bytes of scratch`);
    const scratch = alignUp(block);
    const aStride = byBatch && aBatched ? M * K : 0, bStride = byBatch && bBatched ? K * N : 0;
    const ints = [p.a, aStride, sai, sap, p.b, bStride, sbp, sbj, p.out, M * N, N, p.bias, rows, K, N, scratch, packAll,
      count, this.counter, byBatch ? 1 : 0, byBatch ? chunkUnits : 8 * chunkUnits, chunks, head];
    try {
      this.run(ready.slice(0, helpers), OP_GEMM, { ints }, perThread, () => this.kernels.gemmChunks(...ints));
    } finally {
      this.heap.free(block);
    }
  }

  /**
   * Several independent 2-D products (batch 1) as one job: their column chunks go into one table
   * that the threads share (assembly/kernels.ts gemmTableChunks), so two products that are each
   * too small to split well (a dense layer's input and weight gradients) keep both threads busy
   * with one hand-off instead of two. Each output is what gemmAt gives for its product alone.
   */
  gemmManyAt(items: readonly { p: GemmPointers; s: GemmShape }[]): void {
    const live = items.filter(({ s }) => s.M * s.N > 0);
    for (const { s } of live) {
      if (s.batch !== 1) throw new SpertError('INVALID_INPUT', `GemmEngine.gemmManyAt: products must have batch 1, got ${s.batch}`);
    }
    if (live.length === 0) return;
    const flops = live.reduce((f, { s }) => f + 2 * s.M * s.K * s.N, 0);
    const ready = flops < PARALLEL_MIN_FLOPS ? [] : this.ready();
    const threads = 1 + ready.length;
    const rows: number[] = [];
    let per = 0;
    live.forEach(({ p, s }, product) => {
      const { M, K, N } = s;
      // about 8 chunks a thread per product: a chunk costs one atomic add, A is packed once a run
      const chunkPanels = Math.max(1, Math.floor(Math.ceil(N / 8) / (threads * 8)));
      const { sai, sap, sbp, sbj, packAll, scratchBytes } = productLayout(s, M, chunkPanels);
      per = Math.max(per, scratchBytes);
      for (let j = 0; j < N; j += 8 * chunkPanels) rows.push(p.a, sai, sap, p.b, sbp, sbj, p.out, N, p.bias, M, K, N, j, Math.min(N, j + 8 * chunkPanels), packAll, product);
    });
    const count = rows.length / 16;
    const workers = ready.slice(0, Math.min(ready.length, count - 1));
    const block = this.heap.malloc(64 * count + per * (workers.length + 1) + 2 * ALIGN);
    if (block === 0) throw new SpertError('OUT_OF_MEMORY', `GemmEngine: could not allocate ${per * (workers.length + 1)} bytes of scratch`);
    try {
      const table = alignUp(block), scratch = alignUp(table + 64 * count);
      // views only after the allocation: growing an unshared memory detaches earlier views
      new Int32Array(this.memory.buffer, table, rows.length).set(rows);
      const ints = [table, count, this.counter, scratch, per];
      this.run(workers, OP_GEMM_TABLE, { ints }, 0, () => this.kernels.gemmTableChunks(table, count, this.counter, scratch, per, 0));
    } finally {
      this.heap.free(block);
    }
  }

  // How an elementwise job of n floats is shared: threads only from `minParallel` floats on, about
  // `perThread` chunks each (a multiple of 4 floats, at least 4096), no worker without a chunk.
  private elementwiseSplit(n: number, minParallel: number, perThread: number): { workers: WorkerSlot[]; size: number } {
    const ready = n < minParallel ? [] : this.ready();
    const threads = 1 + ready.length;
    const size = Math.max(4096, 4 * Math.ceil(n / (threads * perThread) / 4));
    return { workers: ready.slice(0, Math.min(threads, Math.ceil(n / size)) - 1), size };
  }

  /**
   * One AdamW update of one or several parameters already in the engine's memory (outputs may
   * equal inputs), each with its own weight decay, in one job: all of them cut into chunks that the
   * threads share out, so small parameters are not left to the calling thread with a dispatch each.
   */
  adamwAt(items: readonly AdamWItem[], h: Omit<AdamWScalars, 'weightDecay'>): void {
    let count = 0, total = 0;
    for (const it of items) {
      count += Math.ceil(it.n / ADAMW_CHUNK);
      total += it.n;
    }
    if (count === 0) return;
    const block = this.heap.malloc(36 * count + ALIGN);
    if (block === 0) throw new SpertError('OUT_OF_MEMORY', `GemmEngine: could not allocate an AdamW table of ${count} chunks`);
    const table = alignUp(block);
    try {
      // views only after the allocation: growing an unshared memory detaches earlier views
      const ints = new Int32Array(this.memory.buffer, table, 9 * count), floats = new Float32Array(this.memory.buffer, table, 9 * count);
      let e = 0;
      for (const it of items) {
        // the decay factor in double precision, as PyTorch derives it from Python floats
        const decay = 1 - h.lr * it.weightDecay;
        for (let o = 0; o < it.n; o += ADAMW_CHUNK, e += 9) {
          const b = 4 * o;
          ints.set([it.p + b, it.g + b, it.m + b, it.v + b, it.pOut + b, it.mOut + b, it.vOut + b, Math.min(ADAMW_CHUNK, it.n - o)], e);
          floats[e + 8] = decay;
        }
      }
      const workers = total < PARALLEL_MIN_ADAMW ? [] : this.ready().slice(0, count - 1);
      // c1 and c2 in double precision too
      const scalars = [h.lr, h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.eps, h.gradScale];
      this.run(workers, OP_ADAMW, { ints: [table, count], floats: scalars, tail: [this.counter] }, 0,
        () => (this.kernels.adamwTableChunks as (...args: number[]) => void)(table, count, ...scalars, this.counter));
    } finally {
      this.heap.free(block);
    }
  }

  /**
   * The exact GELU of n floats (`dy` 0), or its gradient times dy, from `x` into `out`, all byte
   * offsets in the engine's memory; split over the threads in chunks (elementwise: the same values
   * whatever the split).
   */
  geluAt(x: number, dy: number, out: number, n: number): void {
    const { workers, size } = this.elementwiseSplit(n, PARALLEL_MIN_GELU, 4);
    const ints = [x, dy, out, n, dy === 0 ? 0 : 1, this.counter, size];
    this.run(workers, OP_GELU, { ints }, 0, () => this.kernels.geluChunks(x, dy, out, n, dy === 0 ? 0 : 1, this.counter, size));
  }

  /**
   * Multi-head self-attention of packed sentences (assembly/kernels.ts attentionChunks), byte
   * offsets in the engine's memory: mode 'forward' writes the probabilities to `probs` and the
   * context to `o`; 'backward' reads them and `o` as the context's gradient and writes dq, dk,
   * dv. One unit per sentence and head, shared out over the threads (largest first); each unit's
   * values are computed by one thread, so the same on any thread count.
   */
  attentionAt(mode: 'forward' | 'backward', p: AttentionPointers, plan: AttentionPlan): void {
    const { units, H, dh, T, seed, threshold, keep, scale } = plan;
    const count = units.length / 5;
    if (count === 0) return;
    let longest = 0;
    for (let u = 0; u < count; u++) longest = Math.max(longest, units[5 * u + 1]);
    const X = Math.max(longest, dh);
    const per = alignUp(align16(4 * longest * dh) + 2 * align16(4 * longest * longest) + 16 * X * Math.ceil(X / 4) + 32 * X * Math.ceil(X / 8) + 64);
    // the forward's two products, at most (units are sorted longest first)
    const flops = 4 * count * longest * longest * dh;
    const workers = flops < PARALLEL_MIN_FLOPS ? [] : this.ready().slice(0, count - 1);
    const block = this.heap.malloc(20 * count + per * (workers.length + 1) + 2 * ALIGN);
    if (block === 0) throw new SpertError('OUT_OF_MEMORY', `GemmEngine: could not allocate ${per * (workers.length + 1)} bytes of attention scratch`);
    try {
      const table = alignUp(block), scratch = alignUp(table + 20 * count);
      // views only after the allocation: growing an unshared memory detaches earlier views
      new Int32Array(this.memory.buffer, table, 5 * count).set(units);
      const ints = [mode === 'forward' ? 0 : 1, p.q, p.k, p.v, p.o, p.probs, p.dq, p.dk, p.dv, table, count, H, dh, T,
        seed | 0, threshold | 0, plan.dropout ? 1 : 0, scratch, per, this.counter];
      this.run(workers, OP_ATTENTION, { ints, floats: [scale, keep] }, 0, () => this.kernels.attentionChunks(...ints, scale, keep, 0));
    } finally {
      this.heap.free(block);
    }
  }

  /**
   * Float64 sums of squares of float32 arrays already in the engine's memory (byte pointers and
   * float counts), one per array, each summed on one thread in a fixed order (see kernels.ts
   * sumSquaresChunks): the arrays are shared out, largest first, so the result is the same for
   * any thread count.
   */
  sumSquaresAt(pointers: readonly number[], lengths: readonly number[]): Float64Array {
    const count = pointers.length;
    if (lengths.length !== count) throw new SpertError('INVALID_INPUT', `GemmEngine.sumSquaresAt: ${count} pointers but ${lengths.length} lengths`);
    if (count === 0) return new Float64Array(0);
    const total = lengths.reduce((a, b) => a + b, 0);
    const ready = total < PARALLEL_MIN_SUMSQ ? [] : this.ready();
    const block = this.heap.malloc(16 * count + ALIGN);
    if (block === 0) throw new SpertError('OUT_OF_MEMORY', `GemmEngine: could not allocate ${16 * count} bytes for sums of squares`);
    const base = alignUp(block);
    try {
      const order = [...lengths.keys()].sort((a, b) => lengths[b] - lengths[a]);
      // views only after the allocation: growing an unshared memory detaches earlier views
      const table = new Int32Array(this.memory.buffer, base, 2 * count);
      order.forEach((i, k) => {
        table[k] = pointers[i];
        table[count + k] = lengths[i];
      });
      const out = base + 8 * count;
      const ints = [base, base + 4 * count, count, out, this.counter];
      this.run(ready.slice(0, Math.min(ready.length, count - 1)), OP_SUMSQ, { ints }, 0, () => this.kernels.sumSquaresChunks(base, base + 4 * count, count, out, this.counter));
      const sums = new Float64Array(this.memory.buffer, out, count);
      const result = new Float64Array(count);
      order.forEach((i, k) => {
        result[i] = sums[k];
      });
      return result;
    } finally {
      this.heap.free(block);
    }
  }
}

const engines = new WeakMap<WebAssembly.Memory, GemmEngine>();
let threadsSetting: number | undefined;

/** The engine for a memory (created on first use; scratch from `heap`). */
export function gemmEngineFor(memory: WebAssembly.Memory, heap: HeapAllocator): GemmEngine {
  let e = engines.get(memory);
  if (e == null) engines.set(memory, e = new GemmEngine(memory, heap, threadsSetting ?? defaultGemmThreads()));
  return e;
}

/** Sets the thread count of engines created from now on (SPERT_WASM_THREADS sets the default). */
export function setGemmThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new SpertError('INVALID_OPTION', `setGemmThreads: threads must be a positive integer, got ${threads}`);
  threadsSetting = threads;
}
