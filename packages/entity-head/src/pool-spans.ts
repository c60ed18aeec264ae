import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc } from '@tensorflow/tfjs-core';
import type { SpanPooling } from '@spert/core';
import type { IntInput } from '@spert/tfjs-ops';
import { maxPoolSpans } from './max-pool-spans';
import { readSpanRanges } from './span-ranges';

/**
 * Sum (or, with `mean`, average) of hidden states over each wordpiece range [start, end):
 * [B,T,H] x [B,S,2] -> [B,S,H]; an empty range gives zeros. The paper's span-fusion ablation.
 * Like maxPoolSpans it runs on typed arrays: per-row prefix sums in float64 make each range one
 * subtraction (O(B*T*H + B*S*H), rounded to float32 once), and the gradient (a tf.customGrad)
 * adds each output's gradient, divided by the range length for the mean, to every position of its
 * range through a float64 difference array.
 */
export function sumPoolSpans(hidden: tf.Tensor3D, ranges: IntInput, { mean = false }: { mean?: boolean } = {}): tf.Tensor3D {
  const owner = mean ? 'meanPoolSpans' : 'sumPoolSpans';
  const { data, B, T, H, S } = readSpanRanges(hidden, ranges, owner);
  const scale = new Float64Array(B * S);
  for (let i = 0; i < B * S; i++) {
    const len = data[2 * i + 1] - data[2 * i];
    scale[i] = len === 0 ? 0 : mean ? 1 / len : 1;
  }
  const pool = tf.customGrad((...inputs: Array<tf.Tensor | GradSaveFunc>) => {
    const x = (inputs[0] as tf.Tensor).dataSync() as Float32Array;
    // prefix[b, t] = sum of h[b, 0 .. t), T + 1 rows per sequence
    const prefix = new Float64Array(B * (T + 1) * H);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const p = (b * (T + 1) + t) * H;
        const q = p + H;
        const o = (b * T + t) * H;
        for (let j = 0; j < H; j++) prefix[q + j] = prefix[p + j] + x[o + j];
      }
    }
    const out = new Float32Array(B * S * H);
    for (let i = 0; i < B * S; i++) {
      if (scale[i] === 0) continue;
      const b = Math.floor(i / S);
      const lo = (b * (T + 1) + data[2 * i]) * H;
      const hi = (b * (T + 1) + data[2 * i + 1]) * H;
      for (let j = 0; j < H; j++) out[i * H + j] = (prefix[hi + j] - prefix[lo + j]) * scale[i];
    }
    const gradFunc = (dy: tf.Tensor): tf.Tensor => {
      const g = dy.dataSync();
      // diff[b, t] += g at a range's start, -= g at its end; a running sum gives each position's gradient
      const diff = new Float64Array(B * (T + 1) * H);
      for (let i = 0; i < B * S; i++) {
        if (scale[i] === 0) continue;
        const b = Math.floor(i / S);
        const lo = (b * (T + 1) + data[2 * i]) * H;
        const hi = (b * (T + 1) + data[2 * i + 1]) * H;
        for (let j = 0; j < H; j++) {
          const v = g[i * H + j] * scale[i];
          diff[lo + j] += v;
          diff[hi + j] -= v;
        }
      }
      const dh = new Float32Array(B * T * H);
      const run = new Float64Array(H);
      for (let b = 0; b < B; b++) {
        run.fill(0);
        for (let t = 0; t < T; t++) {
          const p = (b * (T + 1) + t) * H;
          const o = (b * T + t) * H;
          for (let j = 0; j < H; j++) {
            run[j] += diff[p + j];
            dh[o + j] = run[j];
          }
        }
      }
      return tf.tensor3d(dh, [B, T, H]);
    };
    return { value: tf.tensor3d(out, [B, S, H]), gradFunc };
  });
  return pool(hidden) as tf.Tensor3D;
}

/** A span's representation under the model's span pooling: {@link maxPoolSpans} or {@link sumPoolSpans} (sum, mean). */
export function poolSpans(hidden: tf.Tensor3D, ranges: IntInput, pooling: SpanPooling = 'max'): tf.Tensor3D {
  switch (pooling) {
    case 'max':
      return maxPoolSpans(hidden, ranges);
    case 'sum':
      return sumPoolSpans(hidden, ranges);
    case 'mean':
      return sumPoolSpans(hidden, ranges, { mean: true });
    default:
      throw new Error(`poolSpans: unknown span pooling ${JSON.stringify(pooling as unknown)}; expected max, mean or sum`);
  }
}
