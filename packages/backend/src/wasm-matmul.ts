import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-types';

// The wasm BatchMatMul/_FusedMatMul kernels send any transposed operand through a scalar loop
// (about 1 GFLOP/s) while the plain layout goes through XNNPACK (15-40 GFLOP/s). Materialising the
// transpose with the wasm Transpose kernel costs one pass over the operand, so we always do that.

const wrapped = new WeakSet<KernelFunc>();

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function wrapTransposes(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as NamedAttrMap & { transposeA?: boolean; transposeB?: boolean };
    if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const transposeKernel = tf.getKernel(tf.Transpose, 'wasm');
    if (transposeKernel == null) throw new Error('wasm Transpose kernel is not registered');
    const inputs: NamedTensorInfoMap = { ...args.inputs };
    const temporaries: TensorInfo[] = [];
    for (const [key, flag] of [['a', attrs.transposeA], ['b', attrs.transposeB]] as const) {
      const x = inputs[key];
      if (!flag || x == null) continue;
      const t = transposeKernel.kernelFunc({
        inputs: { x }, backend: args.backend, attrs: { perm: swapLastTwo(x.shape.length) },
      }) as TensorInfo;
      temporaries.push(t);
      inputs[key] = t;
    }
    try {
      return original.kernelFunc({
        inputs, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  wrapped.add(kernelFunc);
  return { ...original, kernelFunc };
}

/** Replaces the wasm BatchMatMul and _FusedMatMul kernels with versions that pre-transpose operands; idempotent. */
export function installWasmMatMulFix(): string[] {
  const done: string[] = [];
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, 'wasm');
    if (original == null || wrapped.has(original.kernelFunc)) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(wrapTransposes(original));
    done.push(name);
  }
  return done.length > 0 ? [`${done.join(', ')} (wasm): transposed operands materialised for XNNPACK`] : [];
}

/** True when the wasm matMul kernels are our transpose-materialising wrappers. */
export function isWasmMatMulFixed(): boolean {
  return [tf.BatchMatMul, tf._FusedMatMul].every((n) => {
    const k = tf.getKernel(n, 'wasm');
    return k != null && wrapped.has(k.kernelFunc);
  });
}
