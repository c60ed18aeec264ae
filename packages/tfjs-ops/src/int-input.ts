import * as tf from '@tensorflow/tfjs-core';

/** An integer array given as a tensor or as a row-major typed array with its shape. */
export type IntInput = tf.Tensor | { data: Int32Array | ArrayLike<number>; shape: readonly number[] };

/** Reads an integer input synchronously (index inputs are small; the pooling plan needs them on the CPU). */
export function readIntInput(input: IntInput, what: string, rank: number): { data: ArrayLike<number>; shape: number[] } {
  const shape = input instanceof tf.Tensor ? input.shape.slice() : input.shape.slice();
  if (shape.length !== rank) throw new Error(`${what}: expected rank ${rank}, got shape [${shape.join(', ')}]`);
  const data = input instanceof tf.Tensor ? input.dataSync() : input.data;
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`${what}: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  return { data, shape };
}
