import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, backend_util } from '@tensorflow/tfjs-core';

// What every fused kernel of this package shares: reading and making tensors on the cpu backend,
// and registering a set of kernels on wasm and cpu once.

/** The slice of tfjs-backend-cpu that our kernels use. */
export interface CpuBackendLike {
  data: { get(id: tf.DataId): { values: backend_util.TypedArray } };
  makeTensorInfo(shape: number[], dtype: 'float32' | 'int32', values: backend_util.TypedArray): TensorInfo;
}

/** The values of a float32 tensor on the cpu backend (no copy). */
export function cpuFloats(backend: unknown, t: TensorInfo): Float32Array {
  return (backend as CpuBackendLike).data.get(t.dataId).values as Float32Array;
}

/** A float32 tensor of the cpu backend holding `values` (no copy). */
export function cpuTensor(backend: unknown, shape: number[], values: Float32Array): TensorInfo {
  return (backend as CpuBackendLike).makeTensorInfo(shape, 'float32', values);
}

/** The kernel functions of one backend by kernel name. */
export type KernelSet = Record<string, KernelFunc>;

/**
 * Registers each backend's kernels unless its first kernel is already registered there
 * (idempotent: every useBackend installs); returns `label (backends)` when it did, else nothing.
 */
export function installKernels(label: string, byBackend: { wasm: KernelSet; cpu?: KernelSet }): string[] {
  const done: string[] = [];
  for (const [backendName, kernels] of Object.entries(byBackend)) {
    const first = Object.keys(kernels ?? {})[0];
    if (kernels == null || first == null || tf.getKernel(first, backendName) != null) continue;
    for (const [kernelName, kernelFunc] of Object.entries(kernels)) tf.registerKernel({ kernelName, backendName, kernelFunc });
    done.push(backendName);
  }
  return done.length > 0 ? [`${label} (${done.join(', ')})`] : [];
}
