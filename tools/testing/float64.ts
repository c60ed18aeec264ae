// Float64 reference helpers shared by the heads' tests: seeded inputs and the plain definitions
// of max-pooling and a linear layer, to check the tfjs kernels against.
import { seedStream } from '@spert/core';

/** Seeded uniform floats in [-1, 1), rounded to float32 so tensors and references see equal inputs. */
export function randomArray(n: number, seed: number): Float64Array {
  const next = seedStream(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround((next() / 4294967296) * 2 - 1);
  return out;
}

/** Float64 max over rows [start, end) of a [rows, H] block at `offset` (zeros when empty). */
export function maxRows64(data: ArrayLike<number>, offset: number, H: number, start: number, end: number): number[] {
  const out = new Array<number>(H).fill(0);
  if (end <= start) return out;
  for (let j = 0; j < H; j++) {
    let m = -Infinity;
    for (let t = start; t < end; t++) m = Math.max(m, data[offset + t * H + j]);
    out[j] = m;
  }
  return out;
}

/** Float64 max over hidden[b, start..end) of a [B, T, H] array (zeros when empty). */
export function maxPool64(hidden: ArrayLike<number>, T: number, H: number, b: number, start: number, end: number): number[] {
  return maxRows64(hidden, b * T * H, H, start, end);
}

/** Float64 x W^T + b for one input vector, W row-major [out, in]. */
export function linear64(x: number[], W: ArrayLike<number>, bias: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let o = 0; o < bias.length; o++) {
    let s = bias[o];
    for (let i = 0; i < x.length; i++) s += W[o * x.length + i] * x[i];
    out.push(s);
  }
  return out;
}
