import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { AdamW, spertWeightDecay } from './adamw';
import { adamwUpdateLoop, adamwUpdateOps } from './adamw-update';
import { Xoshiro128 } from './xoshiro128';

const shapes: Record<string, number[]> = {
  'bert.encoder.layer.0.attention.self.query.weight': [2, 3],
  'bert.encoder.layer.0.attention.self.query.bias': [3],
  'bert.embeddings.LayerNorm.weight': [3],
  'entity_classifier.weight': [2, 2],
};

// Float64 transformers AdamW(correct_bias=False) step; `decayFirst` flips the decay order (wrong variant).
function refStep(p: number[], m: number[], v: number[], g: number[], lr: number, wd: number, scale: number, decayFirst = false) {
  const b1 = 0.9, b2 = 0.999, eps = 1e-6;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * scale;
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    if (decayFirst) p[i] -= lr * wd * p[i];
    p[i] -= (lr * m[i]) / (Math.sqrt(v[i]) + eps);
    if (!decayFirst) p[i] -= lr * wd * p[i];
  }
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-30));
  return worst;
};

beforeAll(async () => {
  await useBackend('cpu');
});

describe('spertWeightDecay', () => {
  it('exempts biases and LayerNorm weights only', () => {
    expect(spertWeightDecay('bert.encoder.layer.0.attention.self.query.weight')).toBe(0.01);
    expect(spertWeightDecay('size_embeddings.weight')).toBe(0.01);
    expect(spertWeightDecay('rel_classifier.bias')).toBe(0);
    expect(spertWeightDecay('bert.embeddings.LayerNorm.weight')).toBe(0);
    expect(spertWeightDecay('bert.embeddings.LayerNorm.bias', 0.1)).toBe(0);
  });
});

describe('AdamW', () => {
  it.each([['tfjs ops', adamwUpdateOps], ['JS loop', adamwUpdateLoop]])('%s kernel matches a float64 re-computation over 3 steps (<= 1e-6 relative), with decay groups, lr changes and a clip scale', (_, update) => {
    const rng = new Xoshiro128(7);
    const draw = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
    const sign = () => (rng.next() < 0.5 ? -1 : 1);
    const init: Record<string, number[]> = {};
    const params = new Map<string, tf.Variable>();
    for (const [name, s] of Object.entries(shapes)) {
      init[name] = draw(size(s), 0.5, 2).map((x) => x * sign());
      params.set(name, tf.variable(tf.tensor(init[name], s), true, `adamw-spec-${String(update === adamwUpdateOps)}-${name}`));
    }
    const wd = 0.1;
    const opt = new AdamW({ params, weightDecay: wd, update });
    const ref = Object.fromEntries(Object.entries(init).map(([n, p]) => [n, { p: [...p], m: p.map(() => 0), v: p.map(() => 0), wrong: [...p], wm: p.map(() => 0), wv: p.map(() => 0) }]));
    const steps = [{ lr: 0.01, scale: 1 }, { lr: 0.02, scale: 0.37 }, { lr: 0.005, scale: 1 }];
    for (const { lr, scale } of steps) {
      const grads = new Map<string, tf.Tensor>();
      for (const [name, s] of Object.entries(shapes)) {
        const g = draw(size(s), -1, 1);
        grads.set(name, tf.tensor(g, s));
        const decay = spertWeightDecay(name, wd);
        const r = ref[name];
        refStep(r.p, r.m, r.v, g, lr, decay, scale);
        refStep(r.wrong, r.wm, r.wv, g, lr, decay, scale, true);
      }
      opt.applyGradients(grads, lr, scale);
      grads.forEach((g) => g.dispose());
    }
    expect(opt.step).toBe(3);
    const state = opt.getState();
    for (const [name, v] of params) {
      const got = v.dataSync();
      expect(relErr(got, ref[name].p)).toBeLessThanOrEqual(1e-6);
      expect(relErr(state.expAvg.get(name) as Float32Array, ref[name].m)).toBeLessThanOrEqual(1e-6);
      expect(relErr(state.expAvgSq.get(name) as Float32Array, ref[name].v)).toBeLessThanOrEqual(1e-6);
      // Decay before the Adam update is a measurably different optimizer for decayed parameters.
      if (spertWeightDecay(name) > 0) expect(relErr(got, ref[name].wrong)).toBeGreaterThan(1e-5);
    }
    opt.dispose();
    params.forEach((p) => p.dispose());
  });

  it('skips parameters without a gradient and rejects unknown or mis-shaped gradients', () => {
    const a = tf.variable(tf.tensor1d([1, 2]), true, 'adamw-skip-a');
    const b = tf.variable(tf.tensor1d([3, 4]), true, 'adamw-skip-b');
    const opt = new AdamW({ params: new Map([['a', a], ['b', b]]) });
    const g = tf.tensor1d([0.5, -0.5]);
    opt.applyGradients(new Map([['a', g]]), 0.1);
    expect([...b.dataSync()]).toEqual([3, 4]);
    expect([...opt.getState().expAvg.keys()]).toEqual(['a']);
    expect(() => opt.applyGradients(new Map([['c', g]]), 0.1)).toThrow(/unknown parameter "c"/);
    const g3 = tf.tensor1d([1, 2, 3]);
    expect(() => opt.applyGradients(new Map([['b', g3]]), 0.1)).toThrow(/gradient of "b" has shape \[3\]/);
    [g, g3, a, b].forEach((t) => t.dispose());
    opt.dispose();
  });

  it('saves and restores its state: a restored optimizer continues identically', () => {
    const mk = (tag: string) => new Map([['w', tf.variable(tf.tensor2d([[1, -2], [0.5, 3]]), true, `adamw-state-${tag}`)]]);
    const pa = mk('a');
    const pb = mk('b');
    const oa = new AdamW({ params: pa });
    const grads = [[[0.1, -0.2], [0.3, 0.4]], [[-0.5, 0.1], [0.2, -0.3]], [[0.05, 0.6], [-0.1, 0.2]]].map((g) => new Map([['w', tf.tensor2d(g)]]));
    oa.applyGradients(grads[0], 0.01);
    const saved = oa.getState();
    (pb.get('w') as tf.Variable).assign(pa.get('w') as tf.Tensor);
    const ob = new AdamW({ params: pb });
    ob.setState(saved);
    expect(ob.step).toBe(1);
    for (const g of grads.slice(1)) {
      oa.applyGradients(g, 0.01);
      ob.applyGradients(g, 0.01);
    }
    expect([...(pb.get('w') as tf.Variable).dataSync()]).toEqual([...(pa.get('w') as tf.Variable).dataSync()]);
    expect(() => ob.setState({ step: 1, expAvg: new Map([['w', new Float32Array(3)]]), expAvgSq: new Map([['w', new Float32Array(3)]]) })).toThrow(/state of "w" has 3\/3 values, parameter has 4/);
    expect(() => ob.setState({ step: 1, expAvg: new Map([['x', new Float32Array(4)]]), expAvgSq: new Map() })).toThrow(/unknown parameter "x"/);
    grads.forEach((m) => m.forEach((t) => t.dispose()));
    [oa, ob].forEach((o) => o.dispose());
    [pa, pb].forEach((m) => m.forEach((t) => t.dispose()));
  });

  it('leaks no tensors per step and frees its moments on dispose', () => {
    const p = tf.variable(tf.randomNormal([16, 8], 0, 1, 'float32', 3), true, 'adamw-leak');
    const g = tf.randomNormal([16, 8], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    const opt = new AdamW({ params: new Map([['w', p]]) });
    opt.applyGradients(new Map([['w', g]]), 1e-3, 0.5);
    const afterFirst = tf.memory().numTensors;
    expect(afterFirst).toBe(before + 2);
    for (let i = 0; i < 3; i++) opt.applyGradients(new Map([['w', g]]), 1e-3, 0.5);
    expect(tf.memory().numTensors).toBe(afterFirst);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    [p, g].forEach((t) => t.dispose());
  });
});
