import * as tf from '@tensorflow/tfjs-core';
import { wasmSumSquares } from './sum-squares';
import { useBackend } from './use-backend';

// The op behind the trainer's gradient norm: on wasm, each tensor's float32 sum of squares in
// order (what Square then Sum give, bit for bit); elsewhere undefined, so callers use tf ops.
describe('wasmSumSquares', () => {
  it('equals sum(square(t)) per tensor on wasm, refuses non-float tensors, and is undefined on cpu', async () => {
    await useBackend('wasm');
    const ts = [tf.tensor1d([0.1, -0.7, 3.3]), tf.tensor2d(Array.from({ length: 70_000 }, (_, i) => Math.sin(i) * 1e-2), [350, 200]), tf.tensor1d([])];
    const got = wasmSumSquares(ts);
    // (tfjs-wasm's Sum of an empty tensor returns whatever its output buffer held; the sum is 0)
    expect(Array.from(got as Float32Array)).toEqual([...ts.slice(0, 2).map((t) => tf.sum(tf.square(t)).dataSync()[0]), 0]);
    expect(() => wasmSumSquares([ts[0], tf.tensor1d([1, 2], 'int32')])).toThrow('wasmSumSquares: tensor 1 is int32, expected float32');
    await useBackend('cpu');
    expect(wasmSumSquares([tf.tensor1d([1, 2])])).toBeUndefined();
  });
});
