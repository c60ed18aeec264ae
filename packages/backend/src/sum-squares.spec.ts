import * as tf from '@tensorflow/tfjs-core';
import { wasmSumSquares } from './sum-squares';
import { sumSquaresInKernelOrder } from './testing/sum-squares-order';
import { useBackend } from './use-backend';

// The op behind the trainer's gradient norm: on wasm, each tensor's sum of squares in float64,
// its additions in a fixed order (the kernel's 8 interleaved accumulators, mirrored below: the
// same bits; testing/sum-squares-order.ts), whatever the thread count; elsewhere undefined, so
// callers use tf ops.

describe('wasmSumSquares', () => {
  it('gives each tensor its float64 sum of squares in the kernel order on wasm, refuses non-float tensors, and is undefined on cpu', async () => {
    await useBackend('wasm');
    const ts = [tf.tensor1d([0.1, -0.7, 3.3]), tf.tensor2d(Array.from({ length: 70_007 }, (_, i) => Math.sin(i) * 10 ** ((i % 9) - 4)), [7, 10_001]), tf.tensor1d([])];
    const got = wasmSumSquares(ts) as Float64Array;
    expect(got).toBeInstanceOf(Float64Array);
    expect(Array.from(got)).toEqual(ts.map((t) => sumSquaresInKernelOrder(t.dataSync() as Float32Array)));
    // and within float64 rounding of the exact sum (squares of float32 values are exact in float64)
    const exact = Array.from(ts[1].dataSync()).reduce((a, v) => a + v * v, 0);
    expect(Math.abs(got[1] - exact)).toBeLessThan(1e-13 * exact);
    // the same for any thread count: each tensor is summed on one thread in one order
    expect(Array.from(got)).toEqual(Array.from(wasmSumSquares([...ts].reverse()) as Float64Array).reverse());
    expect(() => wasmSumSquares([ts[0], tf.tensor1d([1, 2], 'int32')])).toThrow('wasmSumSquares: tensor 1 is int32, expected float32');
    await useBackend('cpu');
    expect(wasmSumSquares([tf.tensor1d([1, 2])])).toBeUndefined();
  });
});
