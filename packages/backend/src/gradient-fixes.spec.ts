import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './use-backend';

// The gradients this package adds or corrects are checked against central finite differences of
// loss = sum(w * f(x)). Every f here is piecewise linear, so with step 0.1 (away from kinks) the
// difference quotient is exact up to float32 rounding of the loss: tolerance 1e-2 absolute, while
// a wrong gradient is off by at least 1 (integer weights w).

function fdGrad(f: (x: tf.Tensor) => tf.Tensor, x0: Float32Array, shape: number[], w: Float32Array): Float64Array {
  const h = 0.1;
  const loss = (v: Float32Array): number => tf.tidy(() => {
    const y = f(tf.tensor(v, shape));
    return tf.sum(tf.mul(y, tf.tensor(w.subarray(0, y.size), y.shape))).dataSync()[0];
  });
  const g = new Float64Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const p = Float32Array.from(x0); p[i] += h;
    const m = Float32Array.from(x0); m[i] -= h;
    g[i] = (loss(p) - loss(m)) / (2 * h);
  }
  return g;
}

function check(name: string, shape: number[], f: (x: tf.Tensor) => tf.Tensor): void {
  it(name, async () => {
    await useBackend('wasm');
    const n = shape.reduce((p, d) => p * d, 1);
    // Values k + 0.3 stay 0.2 away from every threshold used below (multiples of 0.5), more than h.
    const x0 = Float32Array.from({ length: n }, (_, i) => ((i * 7) % n) - Math.floor(n / 2) + 0.3);
    const w = Float32Array.from({ length: 4096 }, (_, i) => ((i * 5) % 11) - 5);
    const analytic = tf.grad((x: tf.Tensor) => {
      const y = f(x);
      return tf.sum(tf.mul(y, tf.tensor(w.subarray(0, y.size), y.shape)));
    })(tf.tensor(x0, shape)).dataSync();
    const numeric = fdGrad(f, x0, shape, w);
    for (let i = 0; i < n; i++) expect(Math.abs(analytic[i] - numeric[i])).toBeLessThan(1e-2);
  });
}

describe('gradients added or corrected by installKernelFixes', () => {
  check('matMul [3,4,2] x [2,3] gradient of a', [3, 4, 2], (x) => tf.matMul(x, tf.tensor2d([[1, -2, 0.5], [3, 1, -1]])));
  check('matMul [3,4,2] x [2,3] gradient of b (broadcast batch)', [2, 3], (x) => tf.matMul(tf.reshape(tf.range(0, 24), [3, 4, 2]), x));
  check('maximum with broadcast', [4], (x) => tf.maximum(tf.reshape(tf.range(-3, 3, 0.5), [3, 4]), x));
  check('minimum with broadcast', [3, 1], (x) => tf.minimum(x, tf.reshape(tf.range(-3, 3, 0.5), [3, 4])));
  check('gather with repeated ids (UnsortedSegmentSum on wasm)', [5, 2], (x) => tf.gather(x, tf.tensor1d([4, 0, 4, 4, 2], 'int32')));
  check('gatherND', [4, 3], (x) => tf.gatherND(x, tf.tensor2d([[1, 2], [3, 0], [1, 2]], [3, 2], 'int32')));
  check('scatterND', [2, 3], (x) => tf.scatterND(tf.tensor2d([[2], [0]], [2, 1], 'int32'), x, [4, 3]));
  check('stridedSlice with negative stride and shrink', [5, 4], (x) => tf.stridedSlice(x, [4, 1], [0, 2], [-2, 1], 0, 0, 0, 0, 2));
  check('where(greater(x, 0)) masks: comparison has zero gradient', [3, 4], (x) => tf.where(tf.greater(x, 0), tf.mul(x, 2), tf.neg(x)));

  check('multiply, broadcast other operand', [3, 4], (x) => tf.mul(x, tf.tensor1d([2, -1, 0.5, 3])));
  check('multiply, broadcast this operand', [4], (x) => tf.mul(tf.reshape(tf.range(-3, 3, 0.5), [3, 4]), x));
  check('multiply by an int32 tensor (cast kept)', [2, 3], (x) => tf.mul(x, tf.tensor2d([[1, -2, 3], [0, 2, -1]], [2, 3], 'int32')));

  it('Multiply gradient runs no Cast for float32 operands and equals dy * other bit for bit', async () => {
    await useBackend('wasm');
    const cast = tf.getKernel(tf.Cast, 'wasm');
    if (cast == null) throw new Error('no Cast kernel on wasm');
    let casts = 0;
    tf.unregisterKernel(tf.Cast, 'wasm');
    tf.registerKernel({ ...cast, kernelFunc: (args) => (casts++, cast.kernelFunc(args)) });
    try {
      const a = tf.tensor2d([[0.1, 0.7, -1.3], [2.9, -0.4, 5.5]]);
      const b = tf.tensor1d([1.7, -0.3, 0.11]);
      const dy = tf.tensor2d([[0.3, 1.1, -2], [0.9, 0.01, 7]]);
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.mul(x, y))([a, b], dy);
      expect(casts).toBe(0);
      expect(Array.from(ga.dataSync())).toEqual(Array.from(tf.mul(dy, b).dataSync()));
      expect(Array.from(gb.dataSync())).toEqual(Array.from(tf.sum(tf.mul(dy, a), 0).dataSync()));
    } finally {
      tf.unregisterKernel(tf.Cast, 'wasm');
      tf.registerKernel(cast);
    }
  });

  it('comparison gradients have the input shapes, not the broadcast shape', async () => {
    await useBackend('cpu');
    const [ga, gb] = tf.grads((a: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(tf.cast(tf.less(a, c), 'float32'), a)))([tf.ones([2, 3]), tf.ones([3])]);
    expect(ga.shape).toEqual([2, 3]);
    expect(gb.shape).toEqual([3]);
  });
});
