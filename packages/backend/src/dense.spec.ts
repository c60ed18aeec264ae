import * as tf from '@tensorflow/tfjs-core';
import { randomArray, sameBits } from '../../../tools/testing/float64';
import { dense, hasFusedDenseGrad } from './dense';
import { GemmEngine } from './gemm-engine';
import { useBackend } from './use-backend';

// dense(): on wasm its backward pass is one kernel (both products in one engine job, the bias
// gradient as column sums). It must give tfjs's gradient of tf.fused.matMul bit for bit (each output
// is the same in-order sum, only the sharing of the work differs), with and without bias, for sizes
// below and above the engine's threading threshold and widths that are not multiples of 8.

const sizes: [rows: number, inSize: number, out: number][] = [[1, 1, 1], [3, 5, 7], [13, 40, 9], [104, 256, 1024], [104, 1024, 256], [37, 64, 200]];

function grads(f: (x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D) => tf.Tensor2D, rows: number, inSize: number, out: number, withBias: boolean) {
  const seed = rows * 7 + inSize * 3 + out;
  const x = tf.tensor2d(Float32Array.from(randomArray(rows * inSize, seed)), [rows, inSize]);
  const w = tf.tensor2d(Float32Array.from(randomArray(inSize * out, seed + 1)), [inSize, out]);
  const b = tf.tensor1d(Float32Array.from(randomArray(out, seed + 2)));
  const dy = tf.tensor2d(Float32Array.from(randomArray(rows * out, seed + 3)), [rows, out]);
  try {
    const value = tf.tidy(() => f(x, w, withBias ? b : undefined).dataSync().slice() as Float32Array);
    const inputs = withBias ? [x, w, b] : [x, w];
    const g = tf.grads((...t: tf.Tensor[]) => tf.sum(tf.mul(f(t[0] as tf.Tensor2D, t[1] as tf.Tensor2D, t[2] as tf.Tensor1D | undefined), dy)))(inputs);
    const out2 = [value, ...g.map((t) => t.dataSync().slice() as Float32Array)];
    tf.dispose(g);
    return out2;
  } finally {
    tf.dispose([x, w, b, dy]);
  }
}

describe('dense (one-kernel backward on wasm)', () => {
  afterAll(async () => { await useBackend('cpu'); });

  it('gives tf.fused.matMul and its gradients bit for bit on wasm, the products shared by the threads', async () => {
    await useBackend('wasm');
    expect(hasFusedDenseGrad()).toBe(true);
    const spy = jest.spyOn(GemmEngine.prototype, 'gemmManyAt');
    const reference = (x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D) => tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
    for (const [rows, inSize, out] of sizes) {
      for (const withBias of [true, false]) {
        const got = grads(dense, rows, inSize, out, withBias);
        const want = grads(reference, rows, inSize, out, withBias);
        expect(got.length).toBe(withBias ? 4 : 3);
        got.forEach((g, i) => expect({ rows, inSize, out, withBias, output: i, same: sameBits(g, want[i]) }).toEqual({ rows, inSize, out, withBias, output: i, same: true }));
      }
    }
    expect(spy).toHaveBeenCalledTimes(2 * sizes.length);
    expect((spy.mock.instances[0] as unknown as GemmEngine).threads).toBeGreaterThan(1);
    spy.mockRestore();
  });

  it('is tf.fused.matMul with its own gradients on cpu', async () => {
    await useBackend('cpu');
    expect(hasFusedDenseGrad()).toBe(false);
    const got = grads(dense, 13, 40, 9, true);
    const want = grads((x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D, 13, 40, 9, true);
    got.forEach((g, i) => expect(sameBits(g, want[i])).toBe(true));
  });
});
