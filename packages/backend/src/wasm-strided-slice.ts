import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-types';
import { wrapKernel } from './wrap-kernel';
import { SpertError } from '@spert/core';

// The wasm StridedSlice kernel's general path (non-contiguous slices) always labels its output
// float32: an int32 input comes back as float32 holding the int32 bit patterns (1 reads as
// 1.4e-45). The copy itself moves 4-byte words, so relabelling the bytes as int32 is exact; bool
// (1 byte) goes through int32.

function castKernel(x: TensorInfo, dtype: 'int32' | 'bool', backend: unknown): TensorInfo {
  const cast = tf.getKernel(tf.Cast, 'wasm');
  if (cast == null) throw new SpertError('RUNTIME_UNAVAILABLE', 'wasm Cast kernel is not registered');
  return cast.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { dtype } }) as TensorInfo;
}

function wrapDtype(original: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'float32' || x.dtype === 'string') return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const asInt = x.dtype === 'bool' ? castKernel(x, 'int32', args.backend) : x;
    const raw = original.kernelFunc({ ...args, inputs: { x: asInt } }) as TensorInfo;
    let result = raw;
    if (raw.dtype !== 'int32') {
      result = backend.makeOutput(raw.shape, 'int32');
      const dst = backend.typedArrayFromHeap(result);
      const src = backend.typedArrayFromHeap(raw);
      dst.set(new Int32Array(src.buffer, src.byteOffset, src.length));
      backend.disposeData(raw.dataId);
    }
    if (asInt !== x) backend.disposeData(asInt.dataId);
    if (x.dtype !== 'bool') return result;
    const asBool = castKernel(result, 'bool', args.backend);
    backend.disposeData(result.dataId);
    return asBool;
  };
}

/** Makes the wasm StridedSlice kernel keep int32/bool dtypes (idempotent); returns what it did. */
export function installWasmStridedSliceFix(): string[] {
  if (!wrapKernel(tf.StridedSlice, 'wasm', wrapDtype)) return [];
  return ['StridedSlice: int32/bool outputs keep their dtype'];
}
