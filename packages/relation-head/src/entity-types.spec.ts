import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { contextRange, type Range } from '@spert/span-sampler';
import { RelationHead } from './relation-head';
import { linear64, maxRows64, randomArray } from '../../../tools/testing/float64';

// Hand-made batch: 2 documents, 3 spans each, typed (0 = none, 1..E), 4 ordered pairs each.
const [B, T, H, S, SE, R, E, TD] = [2, 8, 3, 3, 2, 2, 3, 4];
const D = 3 * H + 2 * SE + 2 * TD;
const spanRanges: Range[][] = [
  [[1, 2], [4, 6], [2, 3]],
  [[1, 3], [5, 6], [6, 7]],
];
const spanTypes = [
  [2, 1, 3],
  [1, 0, 2],
];
const pairList: Array<Array<[number, number]>> = [
  [[0, 1], [1, 0], [2, 1], [0, 2]],
  [[0, 1], [1, 2], [2, 0], [0, 2]],
];
const P = 4;
const contexts = pairList.map((ps, b) => ps.map(([i, j]) => contextRange(spanRanges[b][i], spanRanges[b][j])));
const hidden64 = randomArray(B * T * H, 31);
const pool64 = randomArray(B * S * H, 32);
const width64 = randomArray(B * S * SE, 33);
const W64 = randomArray(R * D, 34);
const bias64 = randomArray(R, 35);
const emb64 = randomArray((E + 1) * TD, 36);

function makeHead(): RelationHead {
  const head = new RelationHead({ hiddenSize: H, numRelationTypes: R, sizeEmbedding: SE, entityTypes: { count: E, dim: TD } });
  head.loadTensors({
    'rel_classifier.weight': tf.tensor2d(Float32Array.from(W64), [R, D]),
    'rel_classifier.bias': tf.tensor1d(Float32Array.from(bias64)),
    'rel_type_embeddings.weight': tf.tensor2d(Float32Array.from(emb64), [E + 1, TD]),
  });
  return head;
}

function inputs(types = spanTypes) {
  return {
    hidden: tf.tensor3d(Float32Array.from(hidden64), [B, T, H]),
    spanPool: tf.tensor3d(Float32Array.from(pool64), [B, S, H]),
    widthEmbeddings: tf.tensor3d(Float32Array.from(width64), [B, S, SE]),
    pairs: { data: pairList.flat(2), shape: [B, P, 2] },
    contexts: { data: contexts.flat(2), shape: [B, P, 2] },
    spanTypes: { data: types.flat(), shape: [B, S] },
  };
}

/** Float64 logits of pair p of document b: Linear([ctx ; pools ; widths ; type(head) ; type(tail)]). */
function logits64(b: number, p: number, emb: ArrayLike<number>, types = spanTypes): number[] {
  const [i, j] = pairList[b][p];
  const row = (a: ArrayLike<number>, n: number, k: number) => Array.from({ length: n }, (_, d) => a[k * n + d]);
  const ctx = maxRows64(hidden64, b * T * H, H, contexts[b][p][0], contexts[b][p][1]);
  const x = [
    ...ctx,
    ...row(pool64, H, b * S + i),
    ...row(pool64, H, b * S + j),
    ...row(width64, SE, b * S + i),
    ...row(width64, SE, b * S + j),
    ...row(emb, TD, types[b][i]),
    ...row(emb, TD, types[b][j]),
  ];
  return linear64(x, W64, bias64);
}

describe('RelationHead with entity types (relation_entity_types "embedding")', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('grows the classifier by 2 * typeEmbeddingSize columns and names the table rel_type_embeddings.weight', () => {
    const head = new RelationHead({ hiddenSize: H, numRelationTypes: R, sizeEmbedding: SE, entityTypes: { count: E, dim: TD } });
    const plain = new RelationHead({ hiddenSize: H, numRelationTypes: R, sizeEmbedding: SE });
    expect(head.weight.shape).toEqual([R, 3 * H + 2 * SE + 2 * TD]);
    expect(plain.weight.shape).toEqual([R, 3 * H + 2 * SE]);
    expect([...head.variables().keys()]).toEqual(['rel_classifier.weight', 'rel_classifier.bias', 'rel_type_embeddings.weight']);
    expect([...plain.variables().keys()]).toEqual(['rel_classifier.weight', 'rel_classifier.bias']);
    expect(head.typeEmbeddings?.shape).toEqual([E + 1, TD]);
    // The reference's parameters are drawn first, from the same seed: the first row starts alike.
    expect(Array.from(head.weight.dataSync().slice(0, 5))).toEqual(Array.from(plain.weight.dataSync().slice(0, 5)));
    [head, plain].forEach((h) => h.dispose());
  });

  it('reaches the relation logits: equal to a float64 re-computation with both types embedded', () => {
    const head = makeHead();
    const logits = head.forward(inputs()).arraySync();
    for (let b = 0; b < B; b++) {
      for (let p = 0; p < P; p++) logits64(b, p, emb64).forEach((v, r) => expect(Math.abs(logits[b][p][r] - v)).toBeLessThanOrEqual(1e-5));
    }
    head.dispose();
  });

  it('changing one span type changes exactly the logits of the pairs holding that span', () => {
    const head = makeHead();
    const before = head.forward(inputs()).arraySync();
    const changed = spanTypes.map((r) => r.slice());
    changed[0][2] = 1; // document 0, span 2: type 3 -> 1
    const after = head.forward(inputs(changed)).arraySync();
    pairList[0].forEach(([i, j], p) => {
      const holds = i === 2 || j === 2;
      const diff = Math.max(...before[0][p].map((v, r) => Math.abs(v - after[0][p][r])));
      if (holds) expect(diff).toBeGreaterThan(1e-4);
      else expect(diff).toBe(0);
    });
    expect(after[1]).toEqual(before[1]);
    head.dispose();
  });

  it('has a gradient in the type embedding (and the grown weight) matching float64 finite differences', () => {
    const head = makeHead();
    const G = randomArray(B * P * R, 37);
    const g = tf.tensor3d(Float32Array.from(G), [B, P, R]);
    const base = inputs();
    // A nonlinear loss, so the check is not only of a linear map: sum(G * sigmoid(logits)).
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.sigmoid(head.forward(base)), g)) as tf.Scalar);
    const loss64 = (emb: ArrayLike<number>): number => {
      let s = 0;
      for (let b = 0; b < B; b++) for (let p = 0; p < P; p++) logits64(b, p, emb).forEach((v, r) => (s += G[(b * P + p) * R + r] / (1 + Math.exp(-v))));
      return s;
    };
    const analytic = grads[(head.typeEmbeddings as tf.Variable).name].dataSync();
    const eps = 1e-4;
    let nonZero = 0;
    for (let i = 0; i < emb64.length; i++) {
      const plus = Float64Array.from(emb64);
      const minus = Float64Array.from(emb64);
      plus[i] += eps;
      minus[i] -= eps;
      const numeric = (loss64(plus) - loss64(minus)) / (2 * eps);
      expect(Math.abs(analytic[i] - numeric)).toBeLessThan(1e-4);
      if (Math.abs(numeric) > 1e-3) nonZero++;
    }
    // Every type used by a pair (0, 1, 2, 3 all are) gets a non-zero gradient.
    expect(nonZero).toBeGreaterThan(TD * 2);
    expect(grads[head.weight.name].shape).toEqual([R, D]);
    head.dispose();
  });

  it('asks for span types and refuses out-of-range ones', () => {
    const head = makeHead();
    const { spanTypes: _t, ...without } = inputs();
    expect(() => head.forward(without)).toThrow(/spanTypes \[B,S\] is required/);
    expect(() => head.forward(inputs([[2, 1, 4], [1, 0, 2]]))).toThrow('RelationHead: span type 4 at 2 is outside [0, 4) (none + 3 entity types)');
    head.dispose();
  });
});
