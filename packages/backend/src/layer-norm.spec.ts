import * as tf from '@tensorflow/tfjs-core';
import { randomArray, sameBits } from '../../../tools/testing/float64';
import { layerNorm, layerNormOps } from './layer-norm';
import { useBackend } from './use-backend';

// The fused LayerNorm against a float64 recomputation: the value from its definition and the
// gradients through the full Jacobian (d xhat_i / d x_j = rstd (delta_ij - 1/H - xhat_i xhat_j / H)),
// a formula the kernels do not use. Tolerance 1e-6 absolute + 1e-6 relative: the kernels compute
// in float64 and round once, so only the float32 rounding of the result (~6e-8 relative) and of
// the float64 sums of dgamma / dbeta over rows remain. The wasm SIMD kernels and the cpu JS
// loops must agree bit for bit (the loops mirror the kernels' order of operations), for widths
// that reach every tail (not a multiple of 8 or of 4).

const EPS = 1e-12;

function layerNorm64(x: Float64Array, g: Float64Array, b: Float64Array, dy: Float64Array, H: number) {
  const rows = x.length / H;
  const y = new Float64Array(x.length), dx = new Float64Array(x.length), dg = new Float64Array(H), db = new Float64Array(H);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * H, r * H + H);
    const mean = row.reduce((a, v) => a + v, 0) / H;
    const rstd = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / H + EPS);
    const xhat = Array.from(row, (v) => (v - mean) * rstd);
    for (let i = 0; i < H; i++) {
      y[r * H + i] = xhat[i] * g[i] + b[i];
      dg[i] += dy[r * H + i] * xhat[i];
      db[i] += dy[r * H + i];
    }
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let i = 0; i < H; i++) s += dy[r * H + i] * g[i] * rstd * ((i === j ? 1 : 0) - 1 / H - xhat[i] * xhat[j] / H);
      dx[r * H + j] = s;
    }
  }
  return { y, dx, dg, db };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (err > 1e-6 + 1e-6 * Math.abs(expected[i])) throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (error ${err})`);
  }
}

const f32 = (a: Float64Array) => Float32Array.from(a);
const shapes: [number, number][] = [[5, 256], [3, 13], [4, 8], [2, 3], [1, 1], [7, 20]];

/** Value and the three gradients of sum(layerNorm(x) * dy) on the active backend. */
function run(fn: typeof layerNorm, rows: number, H: number, seed: number) {
  const x64 = randomArray(rows * H, seed).map((v, i) => v * 3 + (i % H === 0 ? 50 : 0));
  const [x, g, b, dy] = [f32(x64), f32(randomArray(H, seed + 1)), f32(randomArray(H, seed + 2)), f32(randomArray(rows * H, seed + 3))];
  const xt = tf.tensor2d(x, [rows, H]), gt = tf.variable(tf.tensor1d(g)), bt = tf.variable(tf.tensor1d(b)), dyt = tf.tensor2d(dy, [rows, H]);
  try {
    const y = tf.tidy(() => fn(xt, gt, bt, EPS).dataSync().slice());
    const grads = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fn(a as tf.Tensor2D, gg, bb, EPS), dyt)))([xt, gt, bt]);
    const [dx, dg, db] = grads.map((t) => t.dataSync().slice() as Float32Array);
    tf.dispose(grads);
    return { inputs: { x, g, b, dy }, y, dx, dg, db };
  } finally {
    tf.dispose([xt, gt, bt, dyt]);
  }
}

describe('layerNorm (fused)', () => {
  afterAll(async () => { await useBackend('cpu'); });

  it.each(['wasm', 'cpu'] as const)('value and gradients match a float64 recomputation on %s', async (backend) => {
    await useBackend(backend);
    for (const [rows, H] of shapes) {
      const { inputs, y, dx, dg, db } = run(layerNorm, rows, H, rows * 100 + H);
      const ref = layerNorm64(...([inputs.x, inputs.g, inputs.b, inputs.dy].map((a) => Float64Array.from(a)) as [Float64Array, Float64Array, Float64Array, Float64Array]), H);
      expectClose(y, ref.y, `y ${rows}x${H}`);
      expectClose(dx, ref.dx, `dx ${rows}x${H}`);
      expectClose(dg, ref.dg, `dgamma ${rows}x${H}`);
      expectClose(db, ref.db, `dbeta ${rows}x${H}`);
    }
  });

  it('the wasm kernels and the cpu loops give the same bits', async () => {
    const results: ReturnType<typeof run>[][] = [];
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      results.push(shapes.map(([rows, H]) => run(layerNorm, rows, H, 7 * rows + H)));
    }
    results[0].forEach((w, k) => {
      for (const key of ['y', 'dx', 'dg', 'db'] as const) expect(sameBits(w[key], results[1][k][key])).toBe(true);
    });
  });

  it('is one kernel each way, keeps no tensors and stays close to the tfjs op chain', async () => {
    await useBackend('wasm');
    const fused = run(layerNorm, 6, 256, 3), ops = run(layerNormOps, 6, 256, 3);
    for (const key of ['y', 'dx', 'dg', 'db'] as const) {
      ops[key].forEach((v, i) => expect(Math.abs(fused[key][i] - v)).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(v)));
    }
    const x = tf.randomNormal([4, 16]) as tf.Tensor2D, g = tf.ones([16]), b = tf.zeros([16]);
    const before = tf.memory().numTensors;
    const kernels: string[] = [];
    const profile = await tf.profile(() => tf.tidy(() => { tf.grads((a: tf.Tensor) => tf.sum(layerNorm(a as tf.Tensor2D, g, b, EPS)))([x]); }));
    kernels.push(...profile.kernels.map((k) => k.name));
    expect(kernels.filter((k) => k.startsWith('SpertLayerNorm'))).toEqual(['SpertLayerNorm', 'SpertLayerNormGrad']);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, g, b]);
  });

  it('takes gamma and beta of shape [1, H]', async () => {
    await useBackend('wasm');
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 7]]);
    const y = tf.tidy(() => layerNorm(x, tf.ones([1, 3]), tf.zeros([1, 3]), EPS).arraySync());
    // row [4, 5, 7]: mean 16/3, variance 14/9
    expect(y[1][0]).toBeCloseTo((4 - 16 / 3) / Math.sqrt(14 / 9), 6);
    x.dispose();
  });
});
