import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc } from '@tensorflow/tfjs-core';

/**
 * Rows of a [N, D] table at the given indices -> [M, D], with a gradient that scatter-adds in a
 * typed array. tf.gather's own gradient needs UnsortedSegmentSum, which tfjs-cpu runs as one
 * broadcast multiply per table row (seconds per training step at BERT sizes) and tfjs-wasm lacks.
 */
export function gatherRows(table: tf.Tensor2D, indices: Int32Array): tf.Tensor2D {
  const [N, D] = table.shape;
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] < 0 || indices[i] >= N) throw new Error(`gatherRows: index ${indices[i]} at ${i} is outside [0, ${N})`);
  }
  const f = tf.customGrad((...inputs: Array<tf.Tensor | GradSaveFunc>) => {
    const value = tf.gather(inputs[0] as tf.Tensor2D, tf.tensor1d(indices, 'int32'));
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const g = dy.dataSync();
      const out = new Float32Array(N * D);
      for (let i = 0; i < indices.length; i++) {
        const o = indices[i] * D;
        const s = i * D;
        for (let j = 0; j < D; j++) out[o + j] += g[s + j];
      }
      return tf.tensor2d(out, [N, D]);
    };
    return { value, gradFunc };
  });
  return f(table) as tf.Tensor2D;
}
