import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';

// Kernel functions this package registered in place of a shipped one, so that installing twice
// (every useBackend call installs) never wraps a wrapper.
const ours = new WeakSet<KernelFunc>();

/** Replaces a registered kernel by `wrap(original)` unless it is absent or already ours; returns whether it did. */
export function wrapKernel(kernelName: string, backendName: string, wrap: (original: KernelConfig) => KernelFunc): boolean {
  const original = tf.getKernel(kernelName, backendName);
  if (original == null || ours.has(original.kernelFunc)) return false;
  const kernelFunc = wrap(original);
  ours.add(kernelFunc);
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...original, kernelFunc });
  return true;
}

/** True when the registered kernel is one of this package's wrappers. */
export function isWrapped(kernelName: string, backendName: string): boolean {
  const k = tf.getKernel(kernelName, backendName);
  return k != null && ours.has(k.kernelFunc);
}
