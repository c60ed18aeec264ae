import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { AdamW } from './adamw';
import { spertLoss } from './spert-loss';
import { train } from './train';

// Training runs on the wasm backend: every op the trainer uses must exist there and agree with
// a float64 re-computation.
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

beforeAll(async () => {
  await useBackend('wasm');
});

describe('on the wasm backend', () => {
  it('spertLoss and its gradients match the float64 formulas', () => {
    expect(tf.getBackend()).toBe('wasm');
    const e = [[1, 2, 0], [0.5, -1, 3]];
    const r = [[0, 2], [-3, 1]];
    const el = [1, 2];
    const rl = [[1, 0], [0, 1]];
    const E = tf.tensor2d(e);
    const R = tf.tensor2d(r);
    const fixed = { entityLabels: tf.tensor1d(el, 'int32'), entityMask: tf.ones([2]) as tf.Tensor1D, relationLabels: tf.tensor2d(rl), relationMask: tf.ones([2]) as tf.Tensor1D };
    const f = (a: tf.Tensor, b: tf.Tensor) => spertLoss({ ...fixed, entityLogits: a as tf.Tensor2D, relationLogits: b as tf.Tensor2D }).total;
    const { value, grads } = tf.valueAndGrads(f)([E, R]);
    const lse = (row: number[]) => Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    const ent = (lse(e[0]) - e[0][1] + lse(e[1]) - e[1][2]) / 2;
    const bce = (x: number, z: number) => Math.log1p(Math.exp(x)) - x * z;
    const rel = (bce(0, 1) + bce(2, 0)) / 4 + (bce(-3, 0) + bce(1, 1)) / 4;
    expect(value.dataSync()[0]).toBeCloseTo(ent + rel, 5);
    const gR = grads[1].arraySync() as number[][];
    r.forEach((row, i) => row.forEach((x, k) => expect(gR[i][k]).toBeCloseTo((sigmoid(x) - rl[i][k]) / 4, 6)));
    [E, R, value, ...grads, ...Object.values(fixed)].forEach((t) => t.dispose());
  });

  it('an AdamW step with weight decay matches the float64 formula', () => {
    const p0 = [0.5, -1.5, 2];
    const g = [0.3, -0.1, 0.7];
    const w = tf.variable(tf.tensor1d(p0), true, 'wasm-adamw-w');
    const grad = tf.tensor1d(g);
    const opt = new AdamW({ params: new Map([['w', w]]), weightDecay: 0.1 });
    opt.applyGradients(new Map([['w', grad]]), 0.01, 0.5);
    const got = w.dataSync();
    p0.forEach((p, i) => {
      const gi = g[i] * 0.5;
      const m = 0.1 * gi;
      const v = 0.001 * gi * gi;
      let q = p - (0.01 * m) / (Math.sqrt(v) + 1e-6);
      q -= 0.01 * 0.1 * q;
      expect(Math.abs(got[i] - q) / Math.abs(q)).toBeLessThan(1e-6);
    });
    opt.dispose();
    [w, grad].forEach((t) => t.dispose());
  });

  it('train() runs and lowers the loss', async () => {
    const w = tf.variable(tf.zeros([2, 2]), true, 'wasm-train-w');
    const data = Array.from({ length: 16 }, (_, i) => ({ x: [i % 2 ? 1 : -1, 0.5], y: i % 2 }));
    const lossOf = (batch: typeof data) =>
      spertLoss({
        entityLogits: tf.matMul(tf.tensor2d(batch.map((d) => d.x)), w) as tf.Tensor2D,
        entityLabels: tf.tensor1d(batch.map((d) => d.y), 'int32'),
        entityMask: tf.ones([batch.length]) as tf.Tensor1D,
        relationLogits: tf.zeros([0, 1]) as tf.Tensor2D,
        relationLabels: tf.zeros([0, 1]) as tf.Tensor2D,
        relationMask: tf.zeros([0]) as tf.Tensor1D,
      }).total;
    const first = tf.tidy(() => lossOf(data).dataSync()[0]);
    const before = tf.memory().numTensors;
    await train({ params: new Map([['w', w]]), data, batchLoss: lossOf, epochs: 5, batchSize: 4, lr: 0.5, warmupFraction: 0, seed: 1, progress: false });
    expect(tf.memory().numTensors).toBe(before);
    const last = tf.tidy(() => lossOf(data).dataSync()[0]);
    expect(first).toBeCloseTo(Math.log(2), 5);
    expect(last).toBeLessThan(first * 0.5);
    w.dispose();
  });
});
