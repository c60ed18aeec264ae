import type { backend_util, DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The slice of BackendWasm that our kernels use (typed here so the wasm package stays an implementation detail). */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): backend_util.TypedArray;
  disposeData(dataId: DataId): boolean;
  /** The Emscripten module: `asm.memory` is the heap's WebAssembly.Memory, _malloc/_free its allocator. */
  wasm: { asm?: { memory?: unknown }; _malloc(bytes: number): number; _free(pointer: number): void };
}
