import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '@spert/core';
import { sameBits } from '../../../tools/testing/float64';
import { spanMaxPool } from './span-max-pool';
import { useBackend } from './use-backend';

// The span max-pooling kernels (wasm SIMD, cpu loops) and the dataSync path of other backends
// against a direct recomputation: values are elements of x (exact), the gradient of each output
// element goes to the first position holding its range's maximum, added in float32 in the order
// of the outputs. Data with ties (values on a coarse grid, signed zeros among them), widths that
// reach the SIMD tail (H = 6, 1) and ranges that are empty, single, long and overlapping.


function reference(x: Float32Array, ranges: Int32Array, B: number, T: number, H: number, S: number, dy: Float32Array) {
  const out = new Float32Array(B * S * H), dh = new Float32Array(B * T * H);
  for (let i = 0; i < B * S; i++) {
    const [start, end] = [ranges[2 * i], ranges[2 * i + 1]];
    const row = Math.floor(i / S) * T;
    for (let j = 0; j < H; j++) {
      if (start === end) continue;
      let arg = start;
      for (let t = start + 1; t < end; t++) if (x[(row + t) * H + j] > x[(row + arg) * H + j]) arg = t;
      out[i * H + j] = x[(row + arg) * H + j];
      dh[(row + arg) * H + j] += dy[i * H + j];
    }
  }
  return { out, dh };
}

const cases = [
  { B: 2, T: 17, H: 6, S: 9 },
  { B: 1, T: 40, H: 1, S: 5 },
  { B: 3, T: 12, H: 32, S: 7 },
];

function data({ B, T, H, S }: (typeof cases)[number], seed: number) {
  const r = createRng(seed);
  const x = Float32Array.from({ length: B * T * H }, () => { const v = Math.floor(r() * 7) - 3; return v === 0 && r() < 0.5 ? -0 : v; });
  const dy = Float32Array.from({ length: B * S * H }, () => r() - 0.5);
  const ranges = new Int32Array(2 * B * S);
  for (let i = 0; i < B * S; i++) {
    const start = Math.floor(r() * T);
    const len = i % 4 === 0 ? 0 : i % 4 === 1 ? 1 : Math.floor(r() * (T - start + 1));
    ranges.set([start, Math.min(T, start + len)], 2 * i);
  }
  return { x, dy, ranges };
}


describe('spanMaxPool', () => {
  afterAll(async () => { await useBackend('cpu'); });

  it.each(['wasm', 'cpu', 'cpu without the kernels'] as const)('values and gradient equal the direct recomputation bit for bit on %s', async (which) => {
    await useBackend(which === 'wasm' ? 'wasm' : 'cpu');
    const removed = which === 'cpu without the kernels' ? ['SpertSpanMaxPool', 'SpertSpanMaxPoolGrad'].map((k) => tf.getKernel(k, 'cpu')!) : [];
    removed.forEach((k) => tf.unregisterKernel(k.kernelName, 'cpu'));
    try {
      cases.forEach((c, n) => {
        const { x, dy, ranges } = data(c, n + 1);
        const want = reference(x, ranges, c.B, c.T, c.H, c.S, dy);
        const xt = tf.tensor3d(x, [c.B, c.T, c.H]), dyt = tf.tensor3d(dy, [c.B, c.S, c.H]);
        const out = spanMaxPool(xt, ranges, c.S);
        expect(out.shape).toEqual([c.B, c.S, c.H]);
        expect(sameBits(out.dataSync() as Float32Array, want.out)).toBe(true);
        const dh = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(spanMaxPool(h as tf.Tensor3D, ranges, c.S), dyt)))(xt);
        expect(sameBits(dh.dataSync() as Float32Array, want.dh)).toBe(true);
        const before = tf.memory().numTensors;
        tf.tidy(() => { tf.grad((h: tf.Tensor) => tf.sum(spanMaxPool(h as tf.Tensor3D, ranges, c.S)))(xt); });
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([xt, dyt, out, dh]);
      });
    } finally {
      removed.forEach((k) => tf.registerKernel(k));
    }
  });

  it('refuses ranges that do not fit, naming the range', async () => {
    await useBackend('wasm');
    const x = tf.zeros([2, 5, 3]) as tf.Tensor3D;
    expect(() => spanMaxPool(x, Int32Array.from([0, 1, 2, 6]), 1)).toThrow('range [2, 6) at batch 1, span 0 is not inside [0, 5)');
    expect(() => spanMaxPool(x, Int32Array.from([3, 2, 0, 0]), 1)).toThrow('range [3, 2) at batch 0, span 0');
    expect(() => spanMaxPool(x, Int32Array.from([0, 1]), 1)).toThrow('expected 2 x 1 ranges (4 bounds), got 2 bounds');
    expect(() => spanMaxPool(tf.zeros([2, 5]) as unknown as tf.Tensor3D, Int32Array.from([]), 0)).toThrow('hidden must be float32 [B,T,H]');
    x.dispose();
  });
});
