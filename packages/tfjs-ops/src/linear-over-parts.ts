import * as tf from '@tensorflow/tfjs-core';
import { dropout } from './dropout';
import { createRng } from '@spert/core';

/**
 * A PyTorch-layout linear layer applied to the concatenation [p1 ; p2 ; ...] of row blocks
 * without building it: sum_i dropout(p_i) W[:, cols_i]^T + b. Same result and the same dropout
 * distribution (independent per element) as concat + dropout + linear, but no concat: its
 * gradient (strided slices) runs element by element on tfjs-cpu and dominated training steps.
 */
export function linearOverParts(
  parts: readonly tf.Tensor2D[],
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  options: { dropout?: number; seed?: number } = {},
): tf.Tensor2D {
  const [out, inSize] = weight.shape;
  const total = parts.reduce((a, p) => a + p.shape[1], 0);
  if (total !== inSize) throw new Error(`linearOverParts: parts have ${total} columns, the weight expects ${inSize}`);
  const rate = options.dropout ?? 0;
  const seeds = createRng(options.seed ?? 0).uint32;
  return tf.tidy(() => {
    let offset = 0;
    let acc: tf.Tensor | undefined;
    for (const p of parts) {
      const d = p.shape[1];
      const x = rate > 0 ? dropout(p, rate, seeds()) : p;
      const y = tf.matMul(x, tf.slice(weight, [0, offset], [out, d]), false, true);
      acc = acc ? tf.add(acc, y) : y;
      offset += d;
    }
    return tf.add(acc as tf.Tensor, bias) as tf.Tensor2D;
  });
}
