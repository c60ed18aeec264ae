import { gemmEngineFor, type GemmEngine, type HeapAllocator } from './gemm-engine';
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
  // every wasm kernel call asks: no allocator object per call
  let heap = allocators.get(backend);
  if (heap == null) allocators.set(backend, heap = { malloc: (n) => backend.wasm._malloc(n), free: (p) => backend.wasm._free(p) });
  return gemmEngineFor(memory, heap);
}

const allocators = new WeakMap<WasmBackendLike, HeapAllocator>();
