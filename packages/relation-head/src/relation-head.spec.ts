import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { contextRange, relationContextRange, type Range } from '@spert/span-sampler';
import { RelationHead } from './relation-head';
import { linear64, maxRows64, randomArray } from '../../../tools/testing/float64';

const B = 2;
const T = 10;
const H = 3;
const S = 4;
const SE = 2;
const R = 3;
const D = 3 * H + 2 * SE;
const spanRanges: Range[][] = [
  [[1, 2], [4, 6], [6, 8], [2, 5]], // separated, adjacent (1,2), overlapping (1,3), nested-ish
  [[1, 9], [3, 4], [7, 8], [2, 3]], // nested (0,1), separated (1,2), adjacent (3,1)
];
const pairList: Array<Array<[number, number]>> = [
  [[0, 1], [1, 0], [1, 2], [2, 1], [1, 3], [3, 1], [0, 2]],
  [[0, 1], [1, 0], [1, 2], [2, 1], [3, 1], [1, 3], [2, 3]],
];
const P = 7;
const contexts = pairList.map((ps, b) => ps.map(([i, j]) => contextRange(spanRanges[b][i], spanRanges[b][j])));
const hidden64 = randomArray(B * T * H, 21);
const pool64 = randomArray(B * S * H, 22);
const width64 = randomArray(B * S * SE, 23);

function inputs(hidden = hidden64, pool = pool64, width = width64) {
  return {
    hidden: tf.tensor3d(Float32Array.from(hidden), [B, T, H]),
    spanPool: tf.tensor3d(Float32Array.from(pool), [B, S, H]),
    widthEmbeddings: tf.tensor3d(Float32Array.from(width), [B, S, SE]),
    pairs: { data: pairList.flat(2), shape: [B, P, 2] },
    contexts: { data: contexts.flat(2), shape: [B, P, 2] },
  };
}

function repr64(b: number, p: number, hidden: ArrayLike<number>, pool: ArrayLike<number>, width: ArrayLike<number>): number[] {
  const [i, j] = pairList[b][p];
  const ctx = maxRows64(hidden, b * T * H, H, contexts[b][p][0], contexts[b][p][1]);
  const row = (a: ArrayLike<number>, n: number, k: number) => Array.from({ length: n }, (_, d) => a[(b * S + k) * n + d]);
  return [...ctx, ...row(pool, H, i), ...row(pool, H, j), ...row(width, SE, i), ...row(width, SE, j)];
}

function makeHead(maxPairs = 1000): { head: RelationHead; W: Float64Array; bias: Float64Array } {
  const head = new RelationHead({ hiddenSize: H, numRelationTypes: R, sizeEmbedding: SE, maxPairs });
  const W = randomArray(R * D, 24);
  const bias = randomArray(R, 25);
  head.loadTensors({ 'rel_classifier.weight': tf.tensor2d(Float32Array.from(W), [R, D]), 'rel_classifier.bias': tf.tensor1d(Float32Array.from(bias)) });
  return { head, W, bias };
}

describe('RelationHead', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('uses the test pairs it claims to (separated, adjacent, overlapping, nested)', () => {
    expect(contexts[0]).toEqual([[2, 4], [2, 4], [0, 0], [0, 0], [0, 0], [0, 0], [2, 6]]);
    expect(contexts[1]).toEqual([[0, 0], [0, 0], [4, 7], [4, 7], [0, 0], [0, 0], [3, 7]]);
  });

  it.each(['sentence', 'cls', 'none'] as const)('with the %s context, classifies [sentence max-pool | [CLS] vector | zeros ; spans] like float64', (mode) => {
    const { head, W, bias } = makeHead();
    const sentence: Range = [1, T - 1]; // [CLS] at 0, [SEP] at T-1
    const ctxRanges = pairList.map((ps, b) => ps.map(([i, j]) => relationContextRange(mode, spanRanges[b][i], spanRanges[b][j], sentence)));
    const logits = head.forward({ ...inputs(), contexts: { data: ctxRanges.flat(2), shape: [B, P, 2] } }).arraySync();
    for (let b = 0; b < B; b++) {
      const want =
        mode === 'sentence'
          ? maxRows64(hidden64, b * T * H, H, 1, T - 1)
          : mode === 'cls'
            ? Array.from({ length: H }, (_, j) => hidden64[b * T * H + j])
            : new Array<number>(H).fill(0);
      for (let p = 0; p < P; p++) {
        const r = repr64(b, p, hidden64, pool64, width64);
        const l = linear64([...want, ...r.slice(H)], W, bias);
        for (let c = 0; c < R; c++) expect(Math.abs(logits[b][p][c] - l[c])).toBeLessThanOrEqual(1e-5);
      }
    }
    // the context's gradient reaches only the positions it reads: [CLS] alone for cls, nothing for none
    const dHidden = tf.grad((h: tf.Tensor) => tf.sum(head.forward({ ...inputs(), hidden: h as tf.Tensor3D, contexts: { data: ctxRanges.flat(2), shape: [B, P, 2] } })))(
      tf.tensor3d(Float32Array.from(hidden64), [B, T, H]),
    ).arraySync() as number[][][];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const touched = dHidden[b][t].some((v) => v !== 0);
        if (mode === 'none' || (mode === 'cls' && t > 0) || (mode === 'sentence' && (t === 0 || t === T - 1))) expect(touched).toBe(false);
        if (mode === 'cls' && t === 0) expect(touched).toBe(true);
      }
    }
    head.dispose();
  });

  it('exposes rel_classifier.{weight,bias} in PyTorch layout with N(0, 0.02) init and zero bias', () => {
    const head = new RelationHead({ hiddenSize: 64, numRelationTypes: 5, seed: 2 });
    const vars = head.variables();
    expect([...vars.keys()]).toEqual(['rel_classifier.weight', 'rel_classifier.bias']);
    expect(vars.get('rel_classifier.weight')?.shape).toEqual([5, 3 * 64 + 50]);
    expect(Array.from(head.bias.dataSync())).toEqual([0, 0, 0, 0, 0]);
    const w = Array.from(head.weight.dataSync());
    const mean = w.reduce((a, x) => a + x, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, x) => a + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.002);
    head.dispose();
  });

  it('computes logits like a float64 re-computation (<= 1e-5), sigmoid for probabilities', () => {
    const { head, W, bias } = makeHead();
    const logits = head.forward(inputs()).arraySync();
    const probs = head.predictProbs(inputs()).arraySync();
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < P; p++) {
        const want = linear64(repr64(b, p, hidden64, pool64, width64), W, bias);
        for (let r = 0; r < R; r++) {
          expect(Math.abs(logits[b][p][r] - want[r])).toBeLessThanOrEqual(1e-5);
          expect(Math.abs(probs[b][p][r] - 1 / (1 + Math.exp(-want[r])))).toBeLessThanOrEqual(1e-6);
        }
      }
    }
    head.dispose();
  });

  it('concatenates [context ; head pool ; tail pool ; head width ; tail width], zeros for an empty context', () => {
    const head = new RelationHead({ hiddenSize: H, numRelationTypes: R, sizeEmbedding: SE });
    for (const column of [0, H - 1, H, 2 * H - 1, 2 * H, 3 * H - 1, 3 * H, 3 * H + SE - 1, 3 * H + SE, D - 1]) {
      const W = new Float32Array(R * D);
      W[2 * D + column] = 1; // type 3 reads exactly one input dimension
      head.weight.assign(tf.tensor2d(W, [R, D]));
      const logits = head.forward(inputs()).arraySync();
      for (let b = 0; b < B; b++) {
        for (let p = 0; p < P; p++) {
          const want = repr64(b, p, hidden64, pool64, width64)[column];
          expect(logits[b][p][2]).toBeCloseTo(want, 6);
          if (column < H && contexts[b][p][1] === 0) expect(logits[b][p][2]).toBe(0);
        }
      }
    }
    head.dispose();
  });

  it('gives identical results with and without chunking', () => {
    const whole = makeHead(1000);
    const chunked = makeHead(3);
    const single = makeHead(1);
    const a = Array.from(whole.head.forward(inputs()).dataSync());
    expect(Array.from(chunked.head.forward(inputs()).dataSync())).toEqual(a);
    expect(Array.from(single.head.forward(inputs()).dataSync())).toEqual(a);
    [whole, chunked, single].forEach((h) => h.head.dispose());
  });

  it('has gradients matching float64 finite differences (weights, bias, hidden, span pools, widths)', () => {
    const { head, W, bias } = makeHead(4);
    const G = randomArray(B * P * R, 26);
    const g = tf.tensor3d(Float32Array.from(G), [B, P, R]);
    const loss64 = (w: ArrayLike<number>, bb: ArrayLike<number>, h: ArrayLike<number>, pool: ArrayLike<number>, width: ArrayLike<number>): number => {
      let s = 0;
      for (let b = 0; b < B; b++) {
        for (let p = 0; p < P; p++) linear64(repr64(b, p, h, pool, width), w, bb).forEach((v, r) => (s += v * G[(b * P + p) * R + r]));
      }
      return s;
    };
    const base = inputs();
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(head.forward(base), g)) as tf.Scalar);
    const [dHidden, dPool, dWidth] = tf
      .grads((h: tf.Tensor, p: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.mul(head.forward({ ...base, hidden: h as tf.Tensor3D, spanPool: p as tf.Tensor3D, widthEmbeddings: w as tf.Tensor3D }), g)),
      )([base.hidden, base.spanPool, base.widthEmbeddings])
      .map((t) => t.dataSync());
    const eps = 1e-4;
    const check = (arr: Float64Array, analytic: ArrayLike<number>, f: (x: Float64Array) => number): void => {
      for (let i = 0; i < arr.length; i++) {
        const p = Float64Array.from(arr);
        const m = Float64Array.from(arr);
        p[i] += eps;
        m[i] -= eps;
        expect(Math.abs(analytic[i] - (f(p) - f(m)) / (2 * eps))).toBeLessThan(1e-4);
      }
    };
    check(W, grads[head.weight.name].dataSync(), (x) => loss64(x, bias, hidden64, pool64, width64));
    check(bias, grads[head.bias.name].dataSync(), (x) => loss64(W, x, hidden64, pool64, width64));
    check(hidden64, dHidden, (x) => loss64(W, bias, x, pool64, width64));
    check(pool64, dPool, (x) => loss64(W, bias, hidden64, x, width64));
    check(width64, dWidth, (x) => loss64(W, bias, hidden64, pool64, x));
    head.dispose();
  });

  it('applies dropout only in training mode, reproducibly for a seed', () => {
    const { head } = makeHead();
    const evalA = Array.from(head.forward(inputs()).dataSync());
    expect(Array.from(head.forward({ ...inputs(), training: false }).dataSync())).toEqual(evalA);
    const t1 = Array.from(head.forward({ ...inputs(), training: true, dropoutSeed: 3 }).dataSync());
    const t2 = Array.from(head.forward({ ...inputs(), training: true, dropoutSeed: 3 }).dataSync());
    expect(t2).toEqual(t1);
    expect(t1).not.toEqual(evalA);
    head.dispose();
  });

  it('handles zero pairs and rejects bad shapes and indices', () => {
    const { head } = makeHead();
    const none = head.forward({ ...inputs(), pairs: { data: [], shape: [B, 0, 2] }, contexts: { data: [], shape: [B, 0, 2] } });
    expect(none.shape).toEqual([B, 0, R]);
    const bad = { ...inputs(), pairs: { data: pairList.flat(2).map((v, i) => (i === 3 ? 9 : v)), shape: [B, P, 2] } };
    expect(() => head.forward(bad)).toThrow(/pair 1 of batch 0 points at span 9/);
    expect(() => head.forward({ ...inputs(), contexts: { data: [0, 0], shape: [1, 1, 2] } })).toThrow(/must both be \[2,P,2\]/);
    expect(() => head.loadTensors({ 'rel_classifier.weight': tf.zeros([D, R]), 'rel_classifier.bias': tf.zeros([R]) })).toThrow(
      /rel_classifier.weight has shape \[13, 3\], expected \[3, 13\]/,
    );
    head.dispose();
  });
});
