import * as tf from '@tensorflow/tfjs-core';
import { SpertError } from '@spert/core';
import { heapEngine } from './heap-kernels';
import type { WasmBackendLike } from './wasm-types';

/**
 * The sum of squares of each float32 tensor in float64 (exact squares, a fixed order of additions
 * in 8 interleaved SIMD accumulators: closer to the exact value than tfjs's float32 Square then
 * Sum, and the same for any thread count), in one pass over the wasm heap shared out over the
 * engine's threads by tensor instead of two kernels, a temporary copy and a dispatch per tensor.
 * Undefined unless the active backend is wasm with its heap reachable: callers then use tf ops.
 */
export function wasmSumSquares(tensors: readonly tf.Tensor[]): Float64Array | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as WasmBackendLike;
  const engine = heapEngine(backend);
  if (engine == null) return undefined;
  const pointers: number[] = [];
  const lengths: number[] = [];
  tensors.forEach((t, i) => {
    if (t.dtype !== 'float32') throw new SpertError('INVALID_INPUT', `wasmSumSquares: tensor ${i} is ${t.dtype}, expected float32`);
    const view = backend.typedArrayFromHeap(t);
    pointers.push(view.byteOffset);
    lengths.push(view.length);
  });
  return engine.sumSquaresAt(pointers, lengths);
}
