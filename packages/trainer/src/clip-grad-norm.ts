import * as tf from '@tensorflow/tfjs-core';
import { SpertError } from '@spert/core';
import { wasmSumSquares } from '@spert/backend';

/** Global L2 norm over all gradients (torch's total_norm with norm_type 2), as a number. */
export function globalGradNorm(grads: Iterable<tf.Tensor>): number {
  const list = [...grads];
  if (list.length === 0) return 0;
  // On wasm: float64 sums of squares (one pass per gradient over the heap), added in order and
  // rooted in float64: closer to the exact norm than float32 ops (and than torch's float32).
  const sums = wasmSumSquares(list);
  if (sums !== undefined) {
    let total = 0;
    for (const s of sums) total += s;
    return Math.sqrt(total);
  }
  // One sync for all parameters: per-tensor sums of squares are added on the device. Each square
  // is freed at once (its own tidy): together they would be a second copy of every gradient.
  const total = tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.tidy(() => tf.sum(tf.square(g)))))));
  const norm = total.dataSync()[0];
  total.dispose();
  return norm;
}

/** torch's clip_grad_norm_ coefficient: max_norm / (total_norm + 1e-6) when that is below 1, else 1. */
export function clipScale(totalNorm: number, maxNorm: number): number {
  const coef = maxNorm / (totalNorm + 1e-6);
  return coef < 1 ? coef : 1;
}

/** Result of {@link clipGradNorm}. */
export interface ClipResult {
  /** Norm before clipping. */
  totalNorm: number;
  /** Factor applied to every gradient (1 = unchanged). */
  scale: number;
}

/**
 * torch.nn.utils.clip_grad_norm_ over all gradients: scales them by max_norm / (norm + 1e-6) when
 * that is below 1. Like torch it works in place: each map entry is replaced by its scaled tensor
 * and the old tensor is disposed.
 */
export function clipGradNorm(grads: Map<string, tf.Tensor>, maxNorm = 1.0): ClipResult {
  if (!(maxNorm > 0)) throw new SpertError('INVALID_OPTION', `clipGradNorm: maxNorm must be > 0, got ${maxNorm}`);
  const totalNorm = globalGradNorm(grads.values());
  const scale = clipScale(totalNorm, maxNorm);
  if (scale < 1) {
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, scale));
      g.dispose();
    }
  }
  return { totalNorm, scale };
}
