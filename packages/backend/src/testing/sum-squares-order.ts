/**
 * The float64 sum of squares in the order of the sumSquaresChunks kernel (for tests): element i
 * into accumulator i mod 8, combined ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)), the tail
 * after.
 */
export function sumSquaresInKernelOrder(x: Float32Array): number {
  const a = new Float64Array(8);
  const n8 = x.length & ~7;
  for (let i = 0; i < n8; i++) a[i % 8] += x[i] * x[i];
  let s = ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
  for (let i = n8; i < x.length; i++) s += x[i] * x[i];
  return s;
}
