import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { CpuBackendLike } from './fused-kernels';
import type { WasmBackendLike } from './wasm-types';
import { SpertError } from '@spert/core';

// tfjs-backend-wasm 4.22 ships no UnsortedSegmentSum, and the gradient of gather (embedding
// lookups) needs it; the cpu backend's version loops over every segment with four kernels each
// (O(segments x size): minutes for a 28996-row embedding). One accumulation pass is exact and cheap.

function accumulate(xVals: backend_util.TypedArray, ids: backend_util.TypedArray, outVals: backend_util.TypedArray, inner: number, numSegments: number): void {
  outVals.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    // Out-of-range ids are dropped, as in TensorFlow and the cpu backend.
    if (id < 0 || id >= numSegments) continue;
    const src = i * inner;
    const dst = id * inner;
    for (let j = 0; j < inner; j++) outVals[dst + j] += xVals[src + j];
  }
}

function checkArgs(x: TensorInfo, segmentIds: TensorInfo): number[] {
  for (let i = 0; i < segmentIds.shape.length; i++) {
    if (segmentIds.shape[i] !== x.shape[i]) {
      throw new SpertError('INVALID_INPUT', `unsortedSegmentSum: segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`);
    }
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new SpertError('INVALID_INPUT', `unsortedSegmentSum supports float32 and int32, got ${x.dtype}`);
  return x.shape.slice(segmentIds.shape.length);
}

const unsortedSegmentSumCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const innerShape = checkArgs(x, segmentIds);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const cpu = backend as unknown as CpuBackendLike;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  accumulate(cpu.data.get(x.dataId).values, cpu.data.get(segmentIds.dataId).values, out, inner, numSegments);
  return cpu.makeTensorInfo([numSegments, ...innerShape], x.dtype as 'float32' | 'int32', out);
};

const unsortedSegmentSumWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const segmentIds = inputs.segmentIds as TensorInfo;
  const numSegments = (attrs as { numSegments: number }).numSegments;
  const wasm = backend as unknown as WasmBackendLike;
  const innerShape = checkArgs(x, segmentIds);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const out = wasm.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views are taken after makeOutput: a heap growth there would detach earlier views.
  accumulate(wasm.typedArrayFromHeap(x), wasm.typedArrayFromHeap(segmentIds), wasm.typedArrayFromHeap(out), inner, numSegments);
  return out;
};

/** Registers one-pass UnsortedSegmentSum kernels for wasm (missing) and cpu (quadratic); returns what it did. */
export function installWasmUnsortedSegmentSum(): string[] {
  const done: string[] = [];
  if (tf.getKernel(tf.UnsortedSegmentSum, 'wasm') == null) {
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm });
    done.push('UnsortedSegmentSum: added (gather gradient)');
  }
  if (tf.getKernel(tf.UnsortedSegmentSum, 'cpu')?.kernelFunc !== unsortedSegmentSumCpu) {
    tf.unregisterKernel(tf.UnsortedSegmentSum, 'cpu');
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: 'cpu', kernelFunc: unsortedSegmentSumCpu });
    done.push('UnsortedSegmentSum (cpu): one pass instead of one pass per segment');
  }
  return done;
}
