import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as wasmFactoryImport from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import type { BackendWasmModule, WasmFactoryConfig } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import { internalError } from '@spert/core';

// tfjs-backend-wasm keeps every tensor in one wasm memory that its module defines itself, and a
// defined memory cannot be shared with other threads. Our matMul threads (gemm-engine.ts) need the
// tensors in a shared memory; copying each product's operands into one and the result back
// measured ~380 ms per bert-base training step. So the wasm backend is started from the same Emscripten module
// and binary with one change to the binary: its memory is imported (env.memory, shared, same
// limits) instead of defined. Everything else - kernels, allocator, glue - is tfjs's own.

type WasmFactory = (settings: WasmFactoryConfig) => Promise<BackendWasmModule>;
const imported = wasmFactoryImport as unknown as { default?: WasmFactory } & WasmFactory;
const wasmFactory: WasmFactory = imported.default ?? imported;

function readLeb(bytes: Uint8Array, at: number): [value: number, length: number] {
  let value = 0, shift = 0, n = 0;
  for (;;) {
    if (at + n >= bytes.length) throw internalError('wasm binary: truncated LEB128 number');
    const byte = bytes[at + n++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return [value, n];
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** A wasm binary rewritten to import its one memory as shared `env.memory`, with that memory's limits. */
export interface SharedMemoryBinary {
  binary: Uint8Array<ArrayBuffer>;
  /** Initial size in 64 KiB pages. */
  initial: number;
  /** Maximum size in pages (the original maximum, or 65536 when it had none). */
  maximum: number;
}

/** Rewrites a module that defines one memory into one that imports it as a shared memory (env.memory). */
export function importMemoryAsShared(bytes: Uint8Array): SharedMemoryBinary {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw internalError('not a wasm binary');
  const sections: { id: number; payload: Uint8Array }[] = [];
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, n] = readLeb(bytes, at + 1);
    const start = at + 1 + n;
    if (start + size > bytes.length) throw internalError(`wasm binary: section ${id} runs past the end`);
    sections.push({ id, payload: bytes.subarray(start, start + size) });
    at = start + size;
  }
  const memoryIndex = sections.findIndex((s) => s.id === 5);
  if (memoryIndex < 0) throw internalError('wasm binary defines no memory');
  const mem = sections[memoryIndex].payload;
  const [count, c] = readLeb(mem, 0);
  if (count !== 1) throw internalError(`wasm binary defines ${count} memories, expected 1`);
  const flags = mem[c];
  if (flags !== 0 && flags !== 1) throw internalError(`wasm binary memory has flags ${flags}; expected an unshared 32-bit memory`);
  const [initial, i] = readLeb(mem, c + 1);
  const maximum = flags === 1 ? readLeb(mem, c + 1 + i)[0] : 65536;
  const entry = [3, ...Buffer.from('env'), 6, ...Buffer.from('memory'), 0x02, 0x03, ...leb(initial), ...leb(maximum)];
  const importIndex = sections.findIndex((s) => s.id === 2);
  if (importIndex >= 0) {
    const old = sections[importIndex].payload;
    const [n, len] = readLeb(old, 0);
    sections[importIndex] = { id: 2, payload: Uint8Array.from([...leb(n + 1), ...old.subarray(len), ...entry]) };
  } else {
    const typeIndex = sections.findIndex((s) => s.id === 1);
    sections.splice(typeIndex + 1, 0, { id: 2, payload: Uint8Array.from([1, ...entry]) });
  }
  const withoutMemory = sections.filter((s) => s.id !== 5);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of withoutMemory) parts.push(Uint8Array.from([s.id, ...leb(s.payload.length)]), s.payload);
  return { binary: new Uint8Array(Buffer.concat(parts)), initial, maximum };
}

// Realm-independent checks: under jest (a vm context) the heap's classes are not the test's globals.
const tag = (x: unknown) => Object.prototype.toString.call(x);

/** True when x is a WebAssembly.Memory of any realm. */
export function isWasmMemory(x: unknown): x is WebAssembly.Memory {
  return tag(x) === '[object WebAssembly.Memory]';
}

/** True when the memory's buffer is a SharedArrayBuffer (of any realm). */
export function isSharedMemory(memory: WebAssembly.Memory): boolean {
  return tag(memory.buffer) === '[object SharedArrayBuffer]';
}

/** The heap of the active wasm backend when it is a shared memory (started by this package), else undefined. */
export function sharedWasmHeap(backend: unknown): WebAssembly.Memory | undefined {
  const memory = (backend as { wasm?: { asm?: { memory?: unknown } } }).wasm?.asm?.memory;
  return isWasmMemory(memory) && isSharedMemory(memory) ? memory : undefined;
}

async function startSharedHeapBackend(): Promise<BackendWasm> {
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const file = simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  let directory = '';
  // Emscripten waits forever when instantiation fails inside instantiateWasm; race it with the failure.
  let failed: (e: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => { failed = reject; });
  const module = await Promise.race([failure, wasmFactory({
    // Emscripten asks for its binary's path first, which tells us the directory it ships in.
    locateFile: (path, prefix) => { directory = prefix; return prefix + path; },
    instantiateWasm: (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
      const { binary, initial, maximum } = importMemoryAsShared(readFileSync(directory + file));
      const memory = new WebAssembly.Memory({ initial, maximum, shared: true });
      WebAssembly.compile(binary)
        .then(async (m) => receive(await WebAssembly.instantiate(m, { ...imports, env: { ...(imports.env as object), memory } }), m))
        .catch((e: unknown) => failed(e));
      return {};
    },
    onAbort: (msg) => failed(new Error(`tfjs-backend-wasm aborted: ${msg}`)),
  } as WasmFactoryConfig)]);
  // the same bridge tfjs-backend-wasm's own init() builds
  const m = module as BackendWasmModule & { cwrap: (name: string, ret: string | null, args: string[]) => (...a: number[]) => number };
  m.tfjs = {
    init: m.cwrap('init', null, []) as () => void,
    initWithThreadsCount: m.cwrap('init_with_threads_count', null, ['number']) as (n: number) => void,
    getThreadsCount: m.cwrap('get_threads_count', 'number', []),
    registerTensor: m.cwrap('register_tensor', null, ['number', 'number', 'number']) as (id: number, size: number, offset: number) => void,
    disposeData: m.cwrap('dispose_data', null, ['number']) as (id: number) => void,
    dispose: m.cwrap('dispose', null, []) as () => void,
  };
  return new BackendWasm(m);
}

interface EngineRegistry {
  registry: Record<string, tf.KernelBackend | undefined>;
  registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number } | undefined>;
}

let installed = false;

/**
 * Makes the "wasm" backend start on a shared heap (see above); falls back to tfjs's own start-up
 * if that fails. No effect once a wasm backend instance exists. Returns what it did.
 */
export function installSharedWasmHeap(): string[] {
  if (installed) return [];
  // (tf.findBackend would start the backend it looks for)
  const engine = tf.engine() as unknown as EngineRegistry;
  if (engine.registry.wasm != null) return [];
  const original = engine.registryFactory.wasm;
  if (original == null) return [];
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => {
    try {
      return await startSharedHeapBackend();
    } catch (e) {
      console.warn(`@spert/backend: the wasm backend could not start on a shared heap (${(e as Error).message}); starting it as shipped; matrix products and AdamW will use one thread`);
      return original.factory();
    }
  }, original.priority);
  installed = true;
  return ['wasm heap: a shared WebAssembly.Memory (tfjs binary with its memory imported), so matMul threads read tensors in place'];
}
