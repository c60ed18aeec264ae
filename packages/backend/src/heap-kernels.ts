import { gemmEngineFor, instantiatePlainKernels, type GemmEngine, type KernelExports } from './gemm-engine';
import { isWasmMemory, sharedWasmHeap } from './shared-heap';
import type { WasmBackendLike } from './wasm-types';

// Access to this package's wasm kernels on tfjs-backend-wasm's own heap, so they read and write
// tensors where they lie: through the multi-threaded engine when the heap is shared, else through
// a single-threaded instance on the unshared heap (one per heap).

const plain = new WeakMap<WebAssembly.Memory, KernelExports>();

/** The engine on the backend's heap when that heap is shared (see shared-heap.ts), else undefined. */
export function heapEngine(backend: WasmBackendLike): GemmEngine | undefined {
  const heap = sharedWasmHeap(backend);
  if (heap == null) return undefined;
  return gemmEngineFor(heap, { malloc: (n) => backend.wasm._malloc(n), free: (p) => backend.wasm._free(p) });
}

/** The kernels instantiated on the backend's heap (calling thread only), or undefined when the heap is not reachable. */
export function heapKernels(backend: WasmBackendLike): KernelExports | undefined {
  const engine = heapEngine(backend);
  if (engine != null) return engine.kernels;
  const memory = backend.wasm.asm?.memory;
  if (!isWasmMemory(memory)) return undefined;
  let k = plain.get(memory);
  if (k == null) plain.set(memory, k = instantiatePlainKernels(memory));
  return k;
}
