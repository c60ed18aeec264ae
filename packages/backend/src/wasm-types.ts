import type { backend_util, DataId, DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** The slice of BackendWasm that our kernels use (typed here so the wasm package stays an implementation detail). */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): backend_util.TypedArray;
  disposeData(dataId: DataId): boolean;
}
