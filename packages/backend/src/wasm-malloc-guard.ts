import { SpertError } from '@spert/core';

/** The parts of tfjs-backend-wasm's Emscripten module the guard touches. */
export interface MallocModule {
  asm?: { malloc?: (bytes: number) => number };
  _malloc(bytes: number): number;
  HEAPU8?: Uint8Array;
}

const guarded = new WeakSet<object>();

/**
 * Makes the wasm backend's allocator throw when the heap is full. tfjs-backend-wasm does not check
 * _malloc: at the limit it gets 0 and writes the tensor at address 0, over the allocator's own
 * data, which surfaced later as "RuntimeError: memory access out of bounds" (or as wrong numbers).
 */
export function guardWasmMalloc(module: MallocModule): void {
  if (guarded.has(module)) return;
  // The raw export: Emscripten's _malloc wrapper replaces itself with it on first call, which
  // would drop a guard put around the wrapper.
  const malloc = module.asm?.malloc ?? module._malloc.bind(module);
  module._malloc = (bytes: number) => {
    const pointer = malloc(bytes);
    if (pointer === 0 && bytes > 0) {
      const heap = module.HEAPU8?.byteLength ?? 0;
      throw new SpertError('OUT_OF_MEMORY',
        `the wasm heap is full: ${(bytes / 2 ** 20).toFixed(1)} MiB more do not fit in its ${(heap / 2 ** 20).toFixed(0)} MiB ` +
          '(a wasm memory holds at most 4 GiB). Use a smaller batch (with gradient accumulation for the same effective batch) or a native backend.',
        { bytes, heapBytes: heap });
    }
    return pointer;
  };
  guarded.add(module);
}
