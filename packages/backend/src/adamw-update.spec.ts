import * as tf from '@tensorflow/tfjs-core';
import { adamwUpdate, adamwUpdateMany } from './adamw-update';
import { GemmEngine } from './gemm-engine';
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

describe('adamwUpdateMany', () => {
  // One engine job for many parameters must give exactly what one adamwUpdate per parameter gives:
  // sizes below, across and far above the job's chunk (16384 floats) and its threading threshold
  // (65536), different weight decays, and a parameter that cannot be updated in place (its buffer
  // shared) or whose scalars differ, which take adamwUpdate on their own.
  const sizes = [3, 1000, 16384, 16385, 70_001, 200_000, 7];
  const decays = [0, 0.01, 0.01, 0, 0.1, 0.01, 0];

  // a variable that is the only holder of its buffer (what the in-place path requires)
  const owned = (values: Float32Array) => {
    const t = tf.tensor1d(values);
    const v = tf.variable(t);
    t.dispose();
    return v;
  };
  function setup(seed: number) {
    let s = seed;
    const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5);
    return sizes.map((n, i) => ({
      param: owned(Float32Array.from({ length: n }, r)),
      grad: tf.tensor1d(Float32Array.from({ length: n }, () => r() * 0.1)),
      expAvg: owned(Float32Array.from({ length: n }, () => r() * 0.01)),
      expAvgSq: owned(Float32Array.from({ length: n }, () => Math.abs(r()) * 1e-4)),
      lr: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-6, weightDecay: decays[i], gradScale: 0.75,
    }));
  }
  const read = (list: ReturnType<typeof setup>) => list.map((a) => [a.param, a.expAvg, a.expAvgSq].map((t) => Buffer.from((t.dataSync() as Float32Array).buffer)));

  it('equals one adamwUpdate per parameter bit for bit on wasm (in one job) and cpu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await useBackend(backend);
      const one = setup(3), many = setup(3);
      // a shared buffer (a clone of the parameter kept alive) and a different lr: updated on their own
      const keep = many[1].param.clone();
      const keepOne = one[1].param.clone();
      many[6] = { ...many[6], lr: 1e-3 };
      one[6] = { ...one[6], lr: 1e-3 };
      const job = jest.spyOn(GemmEngine.prototype, 'adamwAt');
      for (let step = 0; step < 2; step++) {
        one.forEach((a) => adamwUpdate(a));
        adamwUpdateMany(many);
      }
      // on wasm one job a step holds the parameters that can be updated in place: 5 in the first
      // step, 6 in the second (the shared parameter got a buffer of its own from its first update);
      // single updates (adamwUpdate, and the ones adamwUpdateMany leaves to it) are jobs of one
      expect(job.mock.calls.map((c) => c[0].length).filter((n) => n > 1)).toEqual(backend === 'wasm' ? [5, 6] : []);
      job.mockRestore();
      const [a, b] = [read(one), read(many)];
      a.forEach((ts, i) => ts.forEach((buf, k) => expect([backend, i, k, buf.equals(b[i][k])]).toEqual([backend, i, k, true])));
      // the kept clone still holds the initial values (the shared buffer was not written in place)
      expect(Buffer.from((keep.dataSync() as Float32Array).buffer).equals(Buffer.from((keepOne.dataSync() as Float32Array).buffer))).toBe(true);
      tf.dispose([keep, keepOne, ...one.flatMap((x) => [x.param, x.grad, x.expAvg, x.expAvgSq]), ...many.flatMap((x) => [x.param, x.grad, x.expAvg, x.expAvgSq])]);
    }
    await useBackend('cpu');
  });
});
