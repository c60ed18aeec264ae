import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { spertLoss, type SpertLossInputs } from './spert-loss';

// Float64 re-computation of the reference formulas.
const lse = (r: number[]) => {
  const m = Math.max(...r);
  return m + Math.log(r.reduce((s, x) => s + Math.exp(x - m), 0));
};
const ce = (r: number[], label: number) => lse(r) - r[label];
const bce = (x: number, z: number) => Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function inputs(e: number[][], el: number[], em: number[], r: number[][], rl: number[][], rm: number[]): SpertLossInputs {
  const R = r[0]?.length ?? 2;
  return {
    entityLogits: tf.tensor2d(e, [e.length, e[0].length]),
    entityLabels: tf.tensor1d(el, 'int32'),
    entityMask: tf.tensor1d(em),
    relationLogits: tf.tensor2d(r.flat(), [r.length, R]),
    relationLabels: tf.tensor2d(rl.flat(), [rl.length, R]),
    relationMask: tf.tensor1d(rm),
  };
}

function expected(e: number[][], el: number[], em: number[], r: number[][], rl: number[][], rm: number[]) {
  let es = 0, ec = 0, rs = 0, rc = 0;
  e.forEach((row, i) => { es += ce(row, el[i]) * em[i]; ec += em[i]; });
  r.forEach((row, i) => { rs += (row.reduce((s, x, k) => s + bce(x, rl[i][k]), 0) / row.length) * rm[i]; rc += rm[i]; });
  const entity = es / ec;
  const relation = rc > 0 ? rs / rc : 0;
  return { entity, relation, total: rc > 0 ? entity + relation : entity };
}

const E = [[1, 2, 0], [0.5, -1, 3], [9, 9, -9], [0, 0, 0]];
const EL = [1, 2, 0, 2];
const EM = [1, 1, 0, 1];
const Rl = [[0, 2], [-3, 1], [5, 5]];
const RL = [[1, 0], [0, 1], [1, 1]];
const RM = [1, 1, 0];

beforeAll(async () => {
  await useBackend('cpu');
});

describe('spertLoss', () => {
  it('matches a float64 re-computation with masks (padding rows ignored)', () => {
    const x = inputs(E, EL, EM, Rl, RL, RM);
    const out = spertLoss(x);
    const want = expected(E, EL, EM, Rl, RL, RM);
    expect(out.entity.dataSync()[0]).toBeCloseTo(want.entity, 5);
    expect(out.relation.dataSync()[0]).toBeCloseTo(want.relation, 5);
    expect(out.total.dataSync()[0]).toBeCloseTo(want.total, 5);
    // By hand: row 0 = log(e + e^2 + 1) - 2 = 0.40760596; row 3 = log 3; row 1 = lse(.5,-1,3) - 3.
    expect(want.entity).toBeCloseTo((0.40760596 + (lse([0.5, -1, 3]) - 3) + Math.log(3)) / 3, 7);
    Object.values(out).forEach((t) => t.dispose());
    Object.values(x).forEach((t) => t.dispose());
  });

  it('total equals the entity loss when no relation sample is valid (masked or none at all)', () => {
    for (const [r, rl, rm] of [[Rl, RL, [0, 0, 0]], [[], [], []]] as Array<[number[][], number[][], number[]]>) {
      const x = inputs(E, EL, EM, r, rl, rm);
      const out = spertLoss(x);
      expect(out.relation.dataSync()[0]).toBe(0);
      expect(out.total.dataSync()[0]).toBe(out.entity.dataSync()[0]);
      Object.values(out).forEach((t) => t.dispose());
      Object.values(x).forEach((t) => t.dispose());
    }
  });

  it('is stable for large logits', () => {
    const x = inputs([[1000, 0], [0, -1000]], [1, 1], [1, 1], [[100, -100]], [[0, 1]], [1]);
    const out = spertLoss(x);
    expect(out.entity.dataSync()[0]).toBeCloseTo((1000 + 1000) / 2, 3);
    expect(out.relation.dataSync()[0]).toBeCloseTo(100, 3);
    Object.values(out).forEach((t) => t.dispose());
    Object.values(x).forEach((t) => t.dispose());
  });

  it('has the analytic gradients softmax - onehot and sigmoid - z (also at logit 0)', () => {
    const e = tf.tensor2d(E);
    const r = tf.tensor2d(Rl);
    const x = inputs(E, EL, EM, Rl, RL, RM);
    const [ge, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => spertLoss({ ...x, entityLogits: a as tf.Tensor2D, relationLogits: b as tf.Tensor2D }).total)([e, r]);
    const ec = EM.reduce((s, v) => s + v, 0);
    const rc = RM.reduce((s, v) => s + v, 0);
    const gE = ge.arraySync() as number[][];
    E.forEach((row, i) => {
      const z = lse(row);
      row.forEach((v, k) => expect(gE[i][k]).toBeCloseTo((EM[i] * (Math.exp(v - z) - (k === EL[i] ? 1 : 0))) / ec, 6));
    });
    const gR = gr.arraySync() as number[][];
    Rl.forEach((row, i) => row.forEach((v, k) => expect(gR[i][k]).toBeCloseTo((RM[i] * (sigmoid(v) - RL[i][k])) / row.length / rc, 6)));
    // Logit exactly 0 with target 1: (sigmoid(0) - 1) / 2 types / 2 valid samples.
    expect(gR[0][0]).toBeCloseTo(-0.125, 6);
    [e, r, ge, gr, ...Object.values(x)].forEach((t) => t.dispose());
  });

  it('rejects mismatched shapes and out-of-range labels, naming the field', () => {
    const x = inputs(E, EL, EM, Rl, RL, RM);
    const badMask = tf.tensor1d([1, 1]);
    expect(() => spertLoss({ ...x, entityMask: badMask })).toThrow(/entityMask must be \[4\]/);
    const badLabels = tf.tensor1d([0, 3, 0, 0], 'int32');
    expect(() => spertLoss({ ...x, entityLabels: badLabels })).toThrow(/entityLabels\[1\] = 3 is outside the 3 entity classes/);
    const floatLabels = tf.tensor1d([0, 1, 0, 0]);
    expect(() => spertLoss({ ...x, entityLabels: floatLabels })).toThrow(/int32/);
    const badRel = tf.tensor2d([[1, 0, 0]]);
    expect(() => spertLoss({ ...x, relationLabels: badRel as tf.Tensor2D })).toThrow(/relationLabels must be \[3, 2\]/);
    [badMask, badLabels, floatLabels, badRel, ...Object.values(x)].forEach((t) => t.dispose());
  });

  it('leaks no tensors', () => {
    const x = inputs(E, EL, EM, Rl, RL, RM);
    const before = tf.memory().numTensors;
    const out = spertLoss(x);
    expect(tf.memory().numTensors).toBe(before + 3);
    Object.values(out).forEach((t) => t.dispose());
    expect(tf.memory().numTensors).toBe(before);
    Object.values(x).forEach((t) => t.dispose());
  });
});
