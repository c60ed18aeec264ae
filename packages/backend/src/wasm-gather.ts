import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-types';
import { wrapKernel } from './wrap-kernel';

// tfjs-backend-wasm's GatherV2 computes every output element's source through strides in its C++
// loop: about 35 ns an element, 1.9 ms to gather 210 rows of 256 floats ([CLS] per span) and
// 2-3 ms of every 256x4 SpERT training step (docs/benchmarks.md). A gather only moves contiguous
// slices, so copying each slice in one go gives the same bytes at memory speed.

// Below this many elements a slice is copied by a loop: subarray + set costs more than the copy.
const SET_MIN = 32;

function wrapGather(original: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const indices = args.inputs.indices as TensorInfo;
    if (x.dtype === 'string' || indices.dtype !== 'int32') return original.kernelFunc(args);
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    const backend = args.backend as unknown as WasmBackendLike;
    const parsedAxis = tf.util.parseAxisParam(axis, x.shape)[0];
    const info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x as tf.Tensor, indices as tf.Tensor, parsedAxis, batchDims);
    const idx = backend.typedArrayFromHeap(indices);
    const dim = info.dimSize;
    for (let i = 0; i < idx.length; i++) {
      // the message of tfjs's own kernel
      if (!(idx[i] >= 0 && idx[i] <= dim - 1)) throw new Error(`GatherV2: the index value ${idx[i]} is not in [0, ${dim - 1}]`);
    }
    const out = backend.makeOutput(info.outputShape, x.dtype);
    if (tf.util.sizeFromShape(x.shape) === 0 || idx.length === 0) return out;
    // Views after makeOutput: a heap growth there detaches earlier views of an unshared heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const ids = backend.typedArrayFromHeap(indices);
    const { batchSize, outerSize, sliceSize } = info;
    const perBatch = ids.length / batchSize;
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let outer = 0; outer < outerSize; outer++) {
        const base = (b * outerSize + outer) * dim * sliceSize;
        for (let i = 0; i < perBatch; i++) {
          const s = base + ids[b * perBatch + i] * sliceSize;
          if (sliceSize >= SET_MIN) dst.set(src.subarray(s, s + sliceSize), o);
          else for (let k = 0; k < sliceSize; k++) dst[o + k] = src[s + k];
          o += sliceSize;
        }
      }
    }
    return out;
  };
}

/** Makes the wasm GatherV2 kernel copy whole slices instead of computing each element's source (idempotent). */
export function installWasmGatherFix(): string[] {
  if (!wrapKernel(tf.GatherV2, 'wasm', wrapGather)) return [];
  return ['GatherV2 (wasm): contiguous slices copied whole (the same bytes; 28 us instead of 478 us a call in a 256x4 training step)'];
}
