import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wrapKernel } from './wrap-kernel';

// tfjs-core's engine clones every tensor a gradient saves for the backward pass (Identity), and
// the wasm Identity kernel copies the data where the cpu backend shares it: 1335 copies costing
// ~230 ms per bert-base training step (tools/bench). Tensors are immutable, so sharing the buffer
// (a same-shape Reshape, which only adds a reference) is what Identity means.

function wrapIdentity(original: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs.x as TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    return tf.getKernel(tf.Reshape, 'wasm')!.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { shape: x.shape } });
  };
}

/** Makes the wasm Identity kernel share its input's buffer instead of copying it (idempotent). */
export function installWasmIdentityShare(): string[] {
  if (!wrapKernel(tf.Identity, 'wasm', wrapIdentity)) return [];
  return ['Identity (wasm): shares the buffer instead of copying (every tensor saved for a gradient is cloned)'];
}
