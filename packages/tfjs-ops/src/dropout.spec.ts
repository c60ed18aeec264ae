import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { createRng } from '@spert/core';
import { sameBits } from '../../../tools/testing/float64';
import { dropout, tfjsDropout } from './dropout';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('dropout', () => {
  it('zeroes about `rate` of the elements, scales the rest by 1/(1-rate), and is reproducible per seed', () => {
    const x = tf.ones([100, 100]);
    const a = dropout(x, 0.1, 7).dataSync();
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(zeros).toBeGreaterThan(0.09);
    expect(zeros).toBeLessThan(0.11);
    for (const v of a) if (v !== 0) expect(v).toBeCloseTo(1 / 0.9, 6);
    expect(Array.from(dropout(x, 0.1, 7).dataSync())).toEqual(Array.from(a));
    expect(Array.from(dropout(x, 0.1, 8).dataSync())).not.toEqual(Array.from(a));
    expect(Array.from(dropout(x, 0, 7).dataSync()).every((v) => v === 1)).toBe(true);
    expect(() => dropout(x, 1, 7)).toThrow(/rate must be in \[0, 1\)/);
  });
});

describe('tfjsDropout', () => {
  // The encoders' dropout: must give tf.dropout's result bit for bit (same masks, same rounding),
  // so that runs trained before it keep their exact trajectory. Compared on both backends, for
  // rates whose keep probability is and is not exact in float32, and for a rate so small that keep
  // rounds to 1 (where floor(u + keep) can be 2).
  const rates = [0.1, 0.25, 1 / 3, 0.5, 1e-9];
  const seeds = [0, 1, 123456789, 2147483646];
  it.each(['cpu', 'wasm'] as const)('equals tf.dropout bit for bit on %s', async (backend) => {
    await useBackend(backend);
    const x = tf.tensor3d(Array.from({ length: 2 * 37 * 64 }, (_, i) => Math.sin(i) * 3), [2, 37, 64]);
    for (const rate of rates) {
      for (const seed of seeds) {
        const want = tf.dropout(x, rate, undefined, seed);
        const got = tfjsDropout(x, rate, seed);
        expect(got.shape).toEqual(x.shape);
        const [w, g] = [want.dataSync(), got.dataSync()];
        let same = 0;
        for (let i = 0; i < w.length; i++) if (Object.is(w[i], g[i])) same++;
        expect({ rate, seed, same }).toEqual({ rate, seed, same: w.length });
        tf.dispose([want, got]);
      }
    }
    // not a mask of ones: some elements dropped at 0.5
    expect(tfjsDropout(x, 0.5, 3).dataSync().filter((v) => v === 0).length).toBeGreaterThan(1000);
    await useBackend('cpu');
  });

  it('refuses rates outside [0, 1) and non-float input; rate 0 is a copy', () => {
    const x = tf.ones([3, 4]);
    expect(() => tfjsDropout(x, 1, 7)).toThrow('tfjsDropout: rate must be in [0, 1), got 1');
    expect(() => tfjsDropout(x, -0.1, 7)).toThrow('rate must be in [0, 1)');
    expect(() => tfjsDropout(tf.ones([2], 'int32'), 0.1, 7)).toThrow('x must be float32, got int32');
    const y = tfjsDropout(x, 0, 7);
    expect(y).not.toBe(x);
    expect(Array.from(y.dataSync())).toEqual(Array(12).fill(1));
  });
});

describe('tfjsDropout with a row selection', () => {
  // An encoder that computes real tokens only drops out a [rows, H] tensor; its masks must be the
  // ones tf.dropout draws for those rows of the whole [total, H] tensor.
  it.each(['cpu', 'wasm'] as const)('equals the selected rows of a full-size tf.dropout on %s', async (backend) => {
    await useBackend(backend);
    const total = 9;
    const H = 13;
    const full = tf.tensor2d(Array.from({ length: total * H }, (_, i) => Math.cos(i) * 2), [total, H]);
    for (const rows of [[0, 1, 2, 3, 4, 5, 6, 7, 8], [0, 3, 4, 8], [5], [1, 2]]) {
      const want = tf.gather(tf.dropout(full, 0.3, undefined, 42), tf.tensor1d(rows, 'int32'));
      const got = tfjsDropout(tf.gather(full, tf.tensor1d(rows, 'int32')), 0.3, 42, { rows: Int32Array.from(rows), total });
      expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    }
    await useBackend('cpu');
  });

  it('refuses a selection that does not match x', () => {
    const x = tf.ones([2, 3]);
    expect(() => tfjsDropout(x, 0.1, 1, { rows: Int32Array.from([0]), total: 4 })).toThrow('selection must be 2 ascending rows in [0, 4)');
    expect(() => tfjsDropout(x, 0.1, 1, { rows: Int32Array.from([2, 1]), total: 4 })).toThrow('ascending');
    expect(() => tfjsDropout(x, 0.1, 1, { rows: Int32Array.from([0, 4]), total: 4 })).toThrow('in [0, 4)');
  });
});

describe('dropout (one kernel each way)', () => {
  // The kernel @spert/backend registers (SIMD on the wasm heap, dropoutInto's loop on cpu) and the
  // mask-tensor fallback used where no kernel is registered must give the same bits: x times
  // the float32 mask of createRng(seed)'s words, one per element, and the same mask on the gradient.
  const shapes = [[37, 64], [5, 13], [3], [1, 1], [4, 2, 3]];
  const maskOf = (size: number, rate: number, seed: number) => {
    const next = createRng(seed).uint32;
    const keep = Math.fround(1 / (1 - rate));
    return Float32Array.from({ length: size }, () => (next() >= rate * 2 ** 32 ? keep : 0));
  };
  const bits = (a: tf.backend_util.TypedArray, b: tf.backend_util.TypedArray) => sameBits(a as Float32Array, b as Float32Array);

  it.each(['wasm', 'cpu', 'cpu without the kernel'] as const)('value and gradient are x and dy times the stream mask on %s', async (which) => {
    await useBackend(which === 'wasm' ? 'wasm' : 'cpu');
    const removed = which === 'cpu without the kernel' ? tf.getKernel('SpertDropout', 'cpu') : undefined;
    if (removed) tf.unregisterKernel('SpertDropout', 'cpu');
    if (which !== 'cpu without the kernel') expect(tf.getKernel('SpertDropout', tf.getBackend())).toBeDefined();
    try {
      for (const shape of shapes) {
        for (const [rate, seed] of [[0.1, 5], [0.5, 2147483646], [1 / 3, 0]] as const) {
          const size = shape.reduce((a, d) => a * d, 1);
          const xs = Float32Array.from({ length: size }, (_, i) => (i % 5 === 2 ? -1 : 1) * Math.sin(i + 1) * 3);
          const dys = Float32Array.from({ length: size }, (_, i) => Math.cos(i));
          const x = tf.tensor(xs, shape), dy = tf.tensor(dys, shape);
          const mask = maskOf(size, rate, seed);
          const y = dropout(x, rate, seed);
          const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(dropout(t, rate, seed), dy)))(x);
          expect(y.shape).toEqual(shape);
          expect(bits(y.dataSync(), xs.map((v, i) => v * mask[i]))).toBe(true);
          expect(bits(dx.dataSync(), dys.map((v, i) => v * mask[i]))).toBe(true);
          tf.dispose([x, dy, y, dx]);
        }
      }
      const x = tf.ones([6, 8]);
      const before = tf.memory().numTensors;
      tf.tidy(() => { tf.grad((t: tf.Tensor) => tf.sum(dropout(t, 0.2, 1)))(x); });
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    } finally {
      if (removed) tf.registerKernel(removed);
      await useBackend('cpu');
    }
  });

  it.each(['wasm', 'cpu'] as const)('a row selection draws the masks of those rows of the whole tensor on %s, gradient too', async (backend) => {
    await useBackend(backend);
    const total = 23, inner = 21;
    const full = tf.tensor2d(Float32Array.from({ length: total * inner }, (_, i) => Math.sin(i) + 2), [total, inner]);
    const rows = Int32Array.from([0, 2, 3, 7, 22]);
    const idx = tf.tensor1d(rows, 'int32');
    const part = tf.gather(full, idx);
    const want = tf.gather(dropout(full, 0.3, 42), idx).dataSync();
    expect(bits(dropout(part, 0.3, 42, { rows, total }).dataSync(), want)).toBe(true);
    const g = tf.grad((t: tf.Tensor) => tf.sum(dropout(t, 0.3, 42, { rows, total })))(part).dataSync();
    // d sum / dx is the mask itself: the selected rows of the whole tensor's mask
    expect(bits(g, tf.gather(dropout(tf.onesLike(full), 0.3, 42), idx).dataSync())).toBe(true);
    expect(() => dropout(part, 0.3, 42, { rows: rows.slice(1), total })).toThrow('selection has 4 rows, x has 5');
    expect(() => dropout(part, 0.3, 42, { rows: Int32Array.from([0, 2, 2, 7, 22]), total })).toThrow('ascending rows in [0, 23)');
    await useBackend('cpu');
  });
});
