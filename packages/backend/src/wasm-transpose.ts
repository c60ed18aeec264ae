import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

// The gradient of gather (embeddings) transposes with an identity permutation twice, and the wasm
// Transpose kernel answers a no-op permutation with a full copy: two extra [vocab, hidden] buffers
// (2 x 85 MiB for bert-base-cased) on a heap that wasm32 caps at 4 GiB. A permutation that only
// moves size-1 dimensions keeps the memory order, so it is a reshape: share the buffer instead.

const wrapped = new WeakSet<KernelFunc>();

function isMemoryNoOp(shape: number[], perm: number[]): boolean {
  const kept = perm.filter((p) => shape[p] !== 1);
  return kept.every((p, i) => i === 0 || kept[i - 1] < p);
}

function wrapNoOp(original: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const perm = (args.attrs as { perm: number[] }).perm;
    const reshape = tf.getKernel(tf.Reshape, 'wasm');
    if (reshape == null || x.dtype === 'string' || !isMemoryNoOp(x.shape, perm)) return original.kernelFunc(args);
    return reshape.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { shape: perm.map((p) => x.shape[p]) } });
  };
  wrapped.add(kernelFunc);
  return { ...original, kernelFunc };
}

/** Makes the wasm Transpose kernel share the buffer for permutations that keep memory order (idempotent). */
export function installWasmTransposeNoOpFix(): string[] {
  const original = tf.getKernel(tf.Transpose, 'wasm');
  if (original == null || wrapped.has(original.kernelFunc)) return [];
  tf.unregisterKernel(tf.Transpose, 'wasm');
  tf.registerKernel(wrapNoOp(original));
  return ['Transpose (wasm): order-preserving permutations share the buffer instead of copying'];
}
