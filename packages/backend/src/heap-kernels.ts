import { gemmEngineFor, type GemmEngine } from './gemm-engine';
import { isWasmMemory } from './shared-heap';
import type { WasmBackendLike } from './wasm-types';

/**
 * The engine of this package's wasm kernels on tfjs-backend-wasm's own heap, so they read and
 * write tensors where they lie: multi-threaded when that heap is shared (shared-heap.ts), on the
 * calling thread otherwise; undefined when the heap is not reachable.
 */
export function heapEngine(backend: WasmBackendLike): GemmEngine | undefined {
  const memory = backend.wasm?.asm?.memory;
  if (!isWasmMemory(memory)) return undefined;
  return gemmEngineFor(memory, { malloc: (n) => backend.wasm._malloc(n), free: (p) => backend.wasm._free(p) });
}
