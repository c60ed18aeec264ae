import { SpertError } from '@spert/core';
import { guardWasmMalloc, type MallocModule } from './wasm-malloc-guard';

describe('guardWasmMalloc', () => {
  it('throws a SpertError instead of handing out address 0 when the heap is full, and uses the raw export', () => {
    let free = 1000;
    const calls: number[] = [];
    const module: MallocModule = {
      asm: { malloc: (n) => { calls.push(n); if (n > free) return 0; free -= n; return 64 + calls.length; } },
      // Emscripten's wrapper: must not be what the guard calls
      _malloc: () => { throw new Error('wrapper called'); },
      HEAPU8: new Uint8Array(4096),
    };
    guardWasmMalloc(module);
    guardWasmMalloc(module);
    expect(module._malloc(600)).toBe(65);
    expect(module._malloc(0)).toBe(66);
    let error: unknown;
    try {
      module._malloc(600);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpertError);
    expect((error as SpertError).code).toBe('OUT_OF_MEMORY');
    expect((error as Error).message).toMatch(/wasm heap is full: 0\.0 MiB more do not fit in its 0 MiB/);
    expect(calls).toEqual([600, 0, 600]);
  });
});
