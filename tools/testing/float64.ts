// Float64 reference helpers shared by the tests: seeded inputs, the plain definitions of
// max-pooling and a linear layer, and the largest difference between two arrays.
import { createRng } from '@spert/core';

/** Seeded uniform floats in [-1, 1), rounded to float32 so tensors and references see equal inputs. */
export function randomArray(n: number, seed: number): Float64Array {
  const next = createRng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(next() * 2 - 1);
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

/** Largest |a[i] - b[i]|; the lengths must agree (a mismatch fails the test). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

// erf lives with the float64 BERT reference in @spert/encoder's testing folder (a package
// must not import tools); re-exported so every spec keeps one import for float64 helpers.
/** Central differences of a float64 function at x, one per coordinate (step eps). */
export function centralDifferences(f: (x: Float64Array) => number, x: ArrayLike<number>, eps = 1e-4): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const plus = Float64Array.from(x);
    const minus = Float64Array.from(x);
    plus[i] += eps;
    minus[i] -= eps;
    out[i] = (f(plus) - f(minus)) / (2 * eps);
  }
  return out;
}

export { erf } from '../../packages/encoder/src/testing/erf';
// Bit-exact typed-array comparison, kept beside the checkpoint formats' tests that need it most.
export { sameBits } from '../../packages/checkpoint/src/testing/same-bits';
