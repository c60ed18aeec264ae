import * as tf from '@tensorflow/tfjs-core';
import { adamwUpdate } from './adamw-update';
import { useBackend } from './use-backend';

// The fused AdamW kernel against a float64 re-computation of transformers' AdamW (correct_bias=False,
// decay on the updated parameter), two steps with clipping scale and decay. Tolerance 1e-6
// relative + 1e-7 absolute: float32 storage of p, m, v between steps is the only difference.

const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: 0.1, gradScale: 0.5 };

function reference(p0: number[], grads: number[][]): { p: number[]; m: number[]; v: number[] } {
  const p = [...p0], m = p0.map(() => 0), v = p0.map(() => 0);
  for (const g0 of grads) {
    for (let i = 0; i < p.length; i++) {
      const g = Math.fround(g0[i]) * hyper.gradScale;
      m[i] = Math.fround(hyper.beta1 * m[i] + (1 - hyper.beta1) * g);
      v[i] = Math.fround(hyper.beta2 * v[i] + (1 - hyper.beta2) * g * g);
      const q = p[i] - hyper.lr * m[i] / (Math.sqrt(v[i]) + hyper.eps);
      p[i] = Math.fround(q - hyper.lr * hyper.weightDecay * q);
    }
  }
  return { p, m, v };
}

function close(actual: ArrayLike<number>, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-6 * Math.abs(expected[i]) + 1e-7);
}

describe('adamwUpdate', () => {
  const p0 = [0.5, -1.25, 2, 0, 3e-3, -7];
  const grads = [[0.1, -0.2, 3, 0, -1e-4, 5], [-0.3, 0.2, 1, 2, 1e-4, -5]];

  it.each(['wasm', 'cpu', 'cpu (tfjs ops fallback)'] as const)('matches float64 AdamW on %s', async (which) => {
    await useBackend(which === 'wasm' ? 'wasm' : 'cpu');
    const removed = which === 'cpu (tfjs ops fallback)' ? tf.getKernel('SpertFusedAdamW', 'cpu') : undefined;
    if (removed) tf.unregisterKernel('SpertFusedAdamW', 'cpu');
    try {
      const param = tf.variable(tf.tensor2d(p0, [2, 3]));
      const expAvg = tf.variable(tf.zeros([2, 3]));
      const expAvgSq = tf.variable(tf.zeros([2, 3]));
      const before = tf.memory().numTensors;
      for (const g of grads) {
        const grad = tf.tensor2d(g, [2, 3]);
        adamwUpdate({ param, grad, expAvg, expAvgSq, ...hyper });
        grad.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
      const ref = reference(p0, grads);
      close(param.dataSync(), ref.p);
      close(expAvg.dataSync(), ref.m);
      close(expAvgSq.dataSync(), ref.v);
      tf.dispose([param, expAvg, expAvgSq]);
    } finally {
      if (removed) tf.registerKernel(removed);
    }
  });

  it('updates in place on the shared wasm heap when nothing else holds the buffers, and only then', async () => {
    await useBackend('wasm');
    const make = (values: number[]) => {
      const t = tf.tensor2d(values, [2, 3]);
      const variable = tf.variable(t);
      t.dispose(); // the variable is then the buffer's only holder
      return variable;
    };
    const param = make(p0);
    const expAvg = make(p0.map(() => 0));
    const expAvgSq = make(p0.map(() => 0));
    const heapOffset = (t: tf.Tensor) => (tf.backend() as unknown as { typedArrayFromHeap(t: tf.Tensor): Float32Array }).typedArrayFromHeap(t).byteOffset;
    const where = heapOffset(param);
    const before = tf.memory().numTensors;
    for (const g of grads) {
      const grad = tf.tensor2d(g, [2, 3]);
      adamwUpdate({ param, grad, expAvg, expAvgSq, ...hyper });
      grad.dispose();
    }
    expect(heapOffset(param)).toBe(where); // same buffer: updated in place
    expect(tf.memory().numTensors).toBe(before);
    const ref = reference(p0, grads);
    close(param.dataSync(), ref.p);
    close(expAvg.dataSync(), ref.m);
    close(expAvgSq.dataSync(), ref.v);
    // a clone shares the buffer: the update must leave the clone's values alone
    const clone = param.clone();
    const kept = clone.dataSync().slice();
    adamwUpdate({ param, grad: tf.ones([2, 3]), expAvg, expAvgSq, ...hyper });
    expect(Array.from(clone.dataSync())).toEqual(Array.from(kept));
    expect(Array.from(param.dataSync())).not.toEqual(Array.from(kept));
    tf.dispose([param, expAvg, expAvgSq, clone]);
  });

  it('rejects a gradient whose size differs from the parameter', async () => {
    await useBackend('wasm');
    const param = tf.variable(tf.zeros([2, 3]));
    const m = tf.variable(tf.zeros([2, 3]));
    const v = tf.variable(tf.zeros([2, 3]));
    expect(() => adamwUpdate({ param, grad: tf.zeros([3]), expAvg: m, expAvgSq: v, ...hyper })).toThrow(/input 1 has shape \[3\], param has \[2,3\]/);
  });
});
