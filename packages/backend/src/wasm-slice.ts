import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-types';
import { wrapKernel } from './wrap-kernel';

// tfjs-backend-wasm's Slice starts with readSync of the whole input: a copy of every element out of
// the heap into a fresh array (allocation and garbage for each call), then copies the slice from
// that copy. The linear layers over parts (@spert/tfjs-ops linearOverParts) slice their weights
// 11 times a SpERT training step. Reading the input where it lies gives the same bytes without
// the copy.

function wrapSlice(original: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const out = backend.makeOutput(extent, x.dtype);
    if (tf.util.sizeFromShape(extent) === 0) return out;
    // Views after makeOutput: a heap growth there detaches earlier views of an unshared heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const rank = x.shape.length;
    const strides = tf.util.computeStrides(x.shape);
    const inner = extent[rank - 1];
    const rows = tf.util.sizeFromShape(extent) / inner;
    const index = new Array<number>(rank - 1).fill(0);
    for (let r = 0, o = 0; r < rows; r++, o += inner) {
      let from = start[rank - 1];
      for (let d = 0; d < rank - 1; d++) from += (start[d] + index[d]) * strides[d];
      dst.set(src.subarray(from, from + inner), o);
      // next row: the last outer index counts fastest
      for (let d = rank - 2; d >= 0 && ++index[d] === extent[d]; d--) index[d] = 0;
    }
    return out;
  };
}

/** Makes the wasm Slice kernel copy from the heap in place instead of reading the whole input out first (idempotent); returns what it did. */
export function installWasmSliceFix(): string[] {
  if (!wrapKernel(tf.Slice, 'wasm', wrapSlice)) return [];
  return ['Slice: copies from the heap without reading the whole input out'];
}
