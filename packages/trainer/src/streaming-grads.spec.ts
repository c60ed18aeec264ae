import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { streamVariableGrads } from './streaming-grads';
import { peakBytes } from './testing/peak-bytes';

beforeAll(async () => {
  await useBackend('cpu');
});

function seeded(shape: number[], seed: number): tf.Variable {
  return tf.variable(tf.randomNormal(shape, 0, 0.3, 'float32', seed), true);
}

/** Gradients from streamVariableGrads, copied out, with the value. */
function streamed(f: () => tf.Scalar, vars: tf.Variable[]): { value: number; grads: Map<string, Float32Array> } {
  const grads = new Map<string, Float32Array>();
  const value = streamVariableGrads(f, vars, (v, g) => {
    expect(grads.has(v.name)).toBe(false);
    grads.set(v.name, g.dataSync() as Float32Array);
    g.dispose();
  });
  const out = { value: value.dataSync()[0], grads };
  value.dispose();
  return out;
}

describe('streamVariableGrads', () => {
  it('gives tf.variableGrads\'s gradients bit for bit: a tied matrix (gather and product), broadcasting, pass-through ops, an unused variable', () => {
    const E = seeded([11, 6], 1);
    const W = seeded([6, 6], 2);
    const b = seeded([6], 3);
    const unused = seeded([3], 4);
    const ids = tf.tensor1d([1, 4, 4, 9, 0], 'int32');
    const f = () => {
      const h = tf.gather(E, ids);
      const z = tf.tanh(tf.add(tf.matMul(h, W), b));
      // reshape and clone pass their dy on; relu saves its input
      const r = tf.relu(tf.reshape(tf.clone(z), [5, 6]));
      const logits = tf.matMul(r, E, false, true);
      return tf.mean(tf.square(logits)) as tf.Scalar;
    };
    const vars = [E, W, b, unused];
    const ref = tf.variableGrads(f, vars);
    const got = streamed(f, vars);
    expect(got.value).toBe(ref.value.dataSync()[0]);
    expect([...got.grads.keys()].sort()).toEqual([E.name, W.name, b.name].sort());
    for (const v of [E, W, b]) expect(Array.from(got.grads.get(v.name)!)).toEqual(Array.from(ref.grads[v.name].dataSync()));
    ref.value.dispose();
    Object.values(ref.grads).forEach((g) => g.dispose());
    [E, W, b, unused, ids].forEach((t) => t.dispose());
  });

  it('frees the backward pass as it goes: each gradient leaves when complete, so a deep chain peaks far below tf.variableGrads', async () => {
    // weights dominate (12 x 256 KiB), activations are small: tf.variableGrads holds every weight
    // gradient until the end (twice the weights), streaming holds about one at a time
    const layers = Array.from({ length: 12 }, (_, i) => ({ w: seeded([256, 256], 10 + i), b: seeded([256], 40 + i) }));
    const vars = layers.flatMap((l) => [l.w, l.b]);
    const x = tf.randomNormal([8, 256], 0, 1, 'float32', 7);
    const f = () => {
      let h: tf.Tensor = x;
      for (const l of layers) h = tf.tanh(tf.add(tf.matMul(h, l.w), l.b));
      return tf.mean(tf.square(h)) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const refPeak = await peakBytes(() => {
      const { value, grads } = tf.variableGrads(f, vars);
      value.dispose();
      Object.values(grads).forEach((g) => g.dispose());
    });
    expect(tf.memory().numTensors).toBe(before);
    const ourPeak = await peakBytes(() => streamVariableGrads(f, vars, (_, g) => g.dispose()).dispose());
    expect(tf.memory().numTensors).toBe(before);
    const weights = vars.reduce((n, v) => n + 4 * v.size, 0);
    expect(refPeak).toBeGreaterThan(0.9 * weights);
    expect(ourPeak).toBeLessThan(0.3 * weights);
    [...vars, x].forEach((t) => t.dispose());
  });

  it('saves tensors for the backward pass as shared references: no Identity kernel, no leak, the engine method restored', () => {
    const W = seeded([6, 6], 5);
    const x = tf.tensor2d(Array.from({ length: 24 }, (_, i) => Math.cos(i)), [4, 6]);
    const f = () => tf.mean(tf.square(tf.tanh(tf.matMul(x, W)))) as tf.Scalar;
    const identity = tf.getKernel(tf.Identity, 'cpu');
    if (identity == null) throw new Error('no Identity kernel on cpu');
    let identities = 0;
    tf.unregisterKernel(tf.Identity, 'cpu');
    tf.registerKernel({ ...identity, kernelFunc: (args) => (identities++, identity.kernelFunc(args)) });
    const engine = tf.engine() as unknown as { saveTensorsForBackwardMode: unknown };
    const saveBefore = engine.saveTensorsForBackwardMode;
    try {
      const before = tf.memory().numTensors;
      const got = streamed(f, [W]);
      expect(identities).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
      expect(engine.saveTensorsForBackwardMode).toBe(saveBefore);
      // the gradients are tf.variableGrads's, which clones through Identity (matMul, tanh and square save tensors)
      const { value, grads } = tf.variableGrads(f, [W]);
      expect(identities).toBeGreaterThan(0);
      expect(got.value).toBe(value.dataSync()[0]);
      expect(Array.from(got.grads.get(W.name) as Float32Array)).toEqual(Array.from(grads[W.name].dataSync()));
      tf.dispose([value, grads[W.name]]);
    } finally {
      tf.unregisterKernel(tf.Identity, 'cpu');
      tf.registerKernel(identity);
      tf.dispose([W, x]);
    }
  });

  it('inside another gradient computation falls back to tf.variableGrads: the same gradients, and the outer gradient still flows', () => {
    const W = seeded([3, 3], 7);
    const x = seeded([3, 3], 8);
    const inner = new Map<string, Float32Array>();
    const outer = tf.grad((s: tf.Tensor) => streamVariableGrads(() => tf.sum(tf.mul(tf.matMul(W, x), s)), [W], (v, g) => {
      inner.set(v.name, g.dataSync() as Float32Array);
      g.dispose();
    }));
    const ds = outer(tf.scalar(2));
    const expected = tf.variableGrads(() => tf.sum(tf.mul(tf.matMul(W, x), tf.scalar(2))), [W]);
    expect(inner.get(W.name)).toEqual(expected.grads[W.name].dataSync());
    // d/ds of sum(W x s) is sum(W x)
    expect(ds.dataSync()[0]).toBeCloseTo(tf.sum(tf.matMul(W, x)).dataSync()[0], 5);
    [W, x, ds, expected.value, ...Object.values(expected.grads)].forEach((t) => t.dispose());
  });

  it('disposes what it made when f throws, and the engine records no tape afterwards', () => {
    const W = seeded([4, 4], 5);
    const before = tf.memory().numTensors;
    expect(() => streamVariableGrads(() => {
      tf.matMul(W, W);
      throw new Error('boom');
    }, [W], () => undefined)).toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
    const value = streamVariableGrads(() => tf.sum(tf.matMul(W, W)), [W], (_, g) => g.dispose());
    value.dispose();
    expect(tf.memory().numTensors).toBe(before);
    W.dispose();
  });
});
