import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapEngine } from './heap-kernels';
import type { WasmBackendLike } from './wasm-types';
import { wrapKernel } from './wrap-kernel';

// tfjs-backend-wasm's Sum reduces innermost axes only: a sum over leading axes (every bias
// gradient, [N, H] -> [H]) first transposes the input into a new tensor. Summing the columns in
// place, each in row order in float32 as its C++ loop adds a transposed row, gives the same bits
// without the transpose (34 Transposes fewer in a 256x4 SpERT training step, measured).

function wrapSum(original: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const w = args.backend as unknown as WasmBackendLike;
    const engine = heapEngine(w);
    if (engine == null || x.dtype !== 'float32' || x.shape.length < 2) return original.kernelFunc(args);
    const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
    // only a leading run of axes short of the last: [0], [0, 1], ...
    if (axes.length === 0 || axes.length >= x.shape.length || axes.some((a, i) => a !== i)) return original.kernelFunc(args);
    const rows = x.shape.slice(0, axes.length).reduce((p, d) => p * d, 1);
    const kept = x.shape.slice(axes.length);
    const cols = kept.reduce((p, d) => p * d, 1);
    const out = w.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    if (cols === 0) return out;
    // views after makeOutput: a heap growth there detaches earlier views of an unshared heap
    const [xv, ov] = [x, out].map((t) => w.typedArrayFromHeap(t) as Float32Array);
    engine.kernels.columnSums(xv.byteOffset, ov.byteOffset, rows, cols);
    return out;
  };
}

/** Makes the wasm Sum kernel sum leading axes in place instead of transposing first (idempotent). */
export function installWasmSumFix(): string[] {
  if (!wrapKernel(tf.Sum, 'wasm', wrapSum)) return [];
  return ['Sum (wasm): leading axes summed in place, no transpose (the same bits)'];
}
