import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { activeBackendName, type ConcreteBackend } from './active-backend';
import { activeKernelFixes } from './install-kernel-fixes';
import { heapEngine } from './heap-kernels';
import { sharedWasmHeap } from './shared-heap';
import type { WasmBackendLike } from './wasm-types';
import { SpertError } from '@spert/core';

/** What is running, for start-up logs. */
export interface BackendReport {
  /** Our name for the backend (see BackendName). */
  name: ConcreteBackend;
  /** The name TensorFlow.js uses (tf.getBackend()). */
  tfBackend: string;
  /** Compute threads the backend uses; null when the native library decides. */
  threads: number | null;
  /** Whether the wasm SIMD build runs; null for non-wasm backends. */
  simd: boolean | null;
  /** Threads of this package's wasm matMul and AdamW kernels; null for non-wasm backends. */
  matMulThreads: number | null;
  /** Whether the wasm heap is a shared memory (else the kernels run on the calling thread only); null for non-wasm backends. */
  sharedHeap: boolean | null;
  /** Build of the wasm matMul kernels: 'fma' (relaxed-SIMD fused multiply-add) or 'plain'; null for non-wasm backends. */
  matMulKernel: 'fma' | 'plain' | null;
  /** @tensorflow/tfjs-core version. */
  tfjsVersion: string;
  /** Kernel and gradient fixes from this package that are active. */
  kernelFixes: string[];
}

/** Describes the active TensorFlow.js backend (call after useBackend). */
export async function backendReport(): Promise<BackendReport> {
  const tfBackend = tf.getBackend();
  if (tfBackend == null) throw new SpertError('RUNTIME_UNAVAILABLE', 'no TensorFlow.js backend is active; call useBackend() first');
  const recorded = activeBackendName();
  const name: ConcreteBackend = recorded != null && (recorded === tfBackend || (recorded.startsWith('tensorflow') && tfBackend === 'tensorflow'))
    ? recorded
    : tfBackend === 'wasm' || tfBackend === 'tensorflow' ? tfBackend : 'cpu';
  let threads: number | null = null;
  let simd: boolean | null = null;
  let matMulThreads: number | null = null;
  let sharedHeap: boolean | null = null;
  let matMulKernel: BackendReport['matMulKernel'] = null;
  if (tfBackend === 'wasm') {
    threads = getThreadsCount();
    simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    const engine = heapEngine(tf.backend() as unknown as WasmBackendLike);
    matMulThreads = engine?.threads ?? null;
    matMulKernel = engine == null || engine.kernel === 'custom' ? null : engine.kernel;
    sharedHeap = sharedWasmHeap(tf.backend()) != null;
  } else if (tfBackend === 'cpu') {
    threads = 1;
  }
  return { name, tfBackend, threads, simd, matMulThreads, sharedHeap, matMulKernel, tfjsVersion: tf.version_core, kernelFixes: activeKernelFixes() };
}

/**
 * The start-up report: one line by default (backend, threads, how many kernel fixes are active);
 * `verbose` adds the list of kernel fixes, one per line, which only matters when debugging them.
 */
export function formatBackendReport(r: BackendReport, options: { verbose?: boolean } = {}): string {
  const threads = `threads: ${r.threads ?? 'native default'}` + (r.simd == null ? '' : `, SIMD: ${r.simd ? 'yes' : 'no'}`) +
    (r.matMulThreads == null ? '' : `; matMul/AdamW threads: ${r.matMulThreads}, heap: ${r.sharedHeap ? 'shared' : 'unshared (one thread)'}`) +
    (r.matMulKernel == null ? '' : `, matMul kernel: ${r.matMulKernel === 'fma' ? 'fma (relaxed SIMD)' : 'plain SIMD (no FMA)'}`);
  const line = `backend: ${r.name} (tfjs ${r.tfBackend}, @tensorflow/tfjs-core ${r.tfjsVersion}); ${threads}` +
    (r.kernelFixes.length > 0 ? `; ${r.kernelFixes.length} kernel fix(es) active` : '');
  if (!options.verbose || r.kernelFixes.length === 0) return line;
  return `${line}\nkernel fixes:\n${r.kernelFixes.map((f) => `  - ${f}`).join('\n')}`;
}
