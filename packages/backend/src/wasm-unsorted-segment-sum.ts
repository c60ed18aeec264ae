import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-types';

// tfjs-backend-wasm 4.22 ships no UnsortedSegmentSum, and the gradient of gather (embedding
// lookups) needs it. A single accumulation pass over the wasm heap is exact and cheap.

const unsortedSegmentSumWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const wasm = backend as unknown as WasmBackendLike;
  const idRank = segmentIds.shape.length;
  for (let i = 0; i < idRank; i++) {
    if (segmentIds.shape[i] !== x.shape[i]) {
      throw new Error(`unsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`);
    }
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`unsortedSegmentSum on wasm supports float32 and int32, got ${x.dtype}`);
  }
  const innerShape = x.shape.slice(idRank);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const out = wasm.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views are taken after makeOutput: a heap growth there would detach earlier views.
  const outVals = wasm.typedArrayFromHeap(out);
  const xVals = wasm.typedArrayFromHeap(x);
  const ids = wasm.typedArrayFromHeap(segmentIds);
  outVals.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    // Out-of-range ids are dropped, as in TensorFlow and the cpu backend.
    if (id < 0 || id >= numSegments) continue;
    const src = i * inner;
    const dst = id * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j] += xVals[src + j];
  }
  return out;
};

/** Registers the wasm UnsortedSegmentSum kernel if the wasm backend lacks it; returns what it did. */
export function installWasmUnsortedSegmentSum(): string[] {
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm') != null) return [];
  tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm });
  return ['UnsortedSegmentSum: added (gather gradient)'];
}
