import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import type { SpanPooling } from '@spert/core';
import { EntityHead } from './entity-head';
import { linear64, maxPool64, randomArray } from '../../../tools/testing/float64';

const B = 2;
const T = 7;
const H = 4;
const E = 3;
const SE = 5;
const ranges = [
  [[1, 2], [2, 5], [3, 4], [0, 0]],
  [[1, 6], [5, 6], [2, 4], [4, 7]],
];
const widths = [
  [1, 2, 1, 0],
  [3, 1, 2, 2],
];
const hiddenData = randomArray(B * T * H, 1);

function makeHead(spanPooling: SpanPooling = 'max'): { head: EntityHead; W: Float64Array; bias: Float64Array; emb: Float64Array } {
  const head = new EntityHead({ hiddenSize: H, numEntityTypes: E, sizeEmbedding: SE, seed: 3, spanPooling });
  const W = randomArray((E + 1) * (2 * H + SE), 2);
  const bias = randomArray(E + 1, 3);
  const emb = randomArray(100 * SE, 4);
  head.loadTensors({
    'entity_classifier.weight': tf.tensor2d(Float32Array.from(W), [E + 1, 2 * H + SE]),
    'entity_classifier.bias': tf.tensor1d(Float32Array.from(bias)),
    'size_embeddings.weight': tf.tensor2d(Float32Array.from(emb), [100, SE]),
  });
  return { head, W: Float64Array.from(Float32Array.from(W)), bias: Float64Array.from(Float32Array.from(bias)), emb: Float64Array.from(Float32Array.from(emb)) };
}

/** Float64 sum or mean over hidden[b, start..end), zeros when empty. */
function sumPool64(h: ArrayLike<number>, b: number, start: number, end: number, mean: boolean): number[] {
  const out = new Array<number>(H).fill(0);
  for (let t = start; t < end; t++) for (let j = 0; j < H; j++) out[j] += h[(b * T + t) * H + j];
  return end > start && mean ? out.map((v) => v / (end - start)) : out;
}

/** Float64 entity representation [CLS ; pool ; width emb] of span (b, s). */
function repr64(h: ArrayLike<number>, emb: ArrayLike<number>, b: number, s: number, pooling: SpanPooling = 'max'): number[] {
  const cls = Array.from({ length: H }, (_, j) => h[(b * T) * H + j]);
  const [start, end] = ranges[b][s];
  const pool = pooling === 'max' ? maxPool64(h, T, H, b, start, end) : sumPool64(h, b, start, end, pooling === 'mean');
  const w = Array.from({ length: SE }, (_, j) => emb[widths[b][s] * SE + j]);
  return [...cls, ...pool, ...w];
}

describe('EntityHead', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('exposes PyTorch names and layouts, N(0, 0.02) weights and zero biases', () => {
    const head = new EntityHead({ hiddenSize: 64, numEntityTypes: 4, seed: 1 });
    const vars = head.variables();
    expect([...vars.keys()]).toEqual(['size_embeddings.weight', 'entity_classifier.weight', 'entity_classifier.bias']);
    expect(vars.get('size_embeddings.weight')?.shape).toEqual([100, 25]);
    expect(vars.get('entity_classifier.weight')?.shape).toEqual([5, 2 * 64 + 25]);
    expect(Array.from(head.bias.dataSync())).toEqual([0, 0, 0, 0, 0]);
    const w = Array.from(head.weight.dataSync());
    const mean = w.reduce((a, x) => a + x, 0) / w.length;
    const std = Math.sqrt(w.reduce((a, x) => a + (x - mean) ** 2, 0) / w.length);
    expect(Math.abs(mean)).toBeLessThan(0.003);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.002);
    const again = new EntityHead({ hiddenSize: 64, numEntityTypes: 4, seed: 1 });
    expect(Array.from(again.weight.dataSync())).toEqual(Array.from(w));
    head.dispose();
    again.dispose();
  });

  it('computes logits = W [CLS ; maxpool ; width emb] + b like a float64 re-computation (<= 1e-5)', () => {
    const { head, W, bias, emb } = makeHead();
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const out = head.forward({ hidden, spanRanges: tf.tensor3d(ranges, undefined, 'int32'), spanWidths: tf.tensor2d(widths, undefined, 'int32') });
    expect(out.logits.shape).toEqual([B, 4, E + 1]);
    expect(out.spanPool.shape).toEqual([B, 4, H]);
    expect(out.widthEmbeddings.shape).toEqual([B, 4, SE]);
    const logits = out.logits.arraySync();
    const h32 = hidden.dataSync();
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < 4; s++) {
        const want = linear64(repr64(h32, emb, b, s), W, bias);
        for (let c = 0; c <= E; c++) expect(Math.abs(logits[b][s][c] - want[c])).toBeLessThanOrEqual(1e-5);
      }
    }
    head.dispose();
  });

  it('concatenates in the order [CLS ; span pool ; width embedding]', () => {
    const { head, emb } = makeHead();
    const hidden = tf.tensor3d(Float32Array.from(hiddenData), [B, T, H]);
    const h32 = hidden.dataSync();
    const inputs = { hidden, spanRanges: { data: ranges.flat(2), shape: [B, 4, 2] }, spanWidths: { data: widths.flat(), shape: [B, 4] } };
    for (const column of [0, H - 1, H, 2 * H - 1, 2 * H, 2 * H + SE - 1]) {
      const W = new Float32Array((E + 1) * (2 * H + SE));
      W[1 * (2 * H + SE) + column] = 1; // class 1 reads exactly one input dimension
      head.weight.assign(tf.tensor2d(W, [E + 1, 2 * H + SE]));
      head.bias.assign(tf.zeros([E + 1]));
      const logits = head.forward(inputs).logits.arraySync();
      for (let b = 0; b < B; b++) {
        for (let s = 0; s < 4; s++) {
          expect(logits[b][s][1]).toBeCloseTo(repr64(h32, emb, b, s)[column], 6);
          expect(logits[b][s][0]).toBe(0);
        }
      }
    }
    head.dispose();
  });

  it('applies dropout (rate 0.1, inverted scaling) only in training mode, reproducibly per seed', () => {
    const head = new EntityHead({ hiddenSize: H, numEntityTypes: E, sizeEmbedding: SE });
    const column = H; // first span-pool dimension
    const W = new Float32Array((E + 1) * (2 * H + SE));
    W[1 * (2 * H + SE) + column] = 1;
    head.weight.assign(tf.tensor2d(W, [E + 1, 2 * H + SE]));
    const S = 2000;
    const hidden = tf.ones([1, 3, H]) as tf.Tensor3D;
    const inputs = { hidden, spanRanges: { data: new Array<number>(2 * S).fill(0).map((_, i) => (i % 2 === 0 ? 1 : 2)), shape: [1, S, 2] }, spanWidths: { data: new Array<number>(S).fill(1), shape: [1, S] } };
    const evalOut = Array.from(head.forward(inputs).logits.dataSync()).filter((_, i) => i % (E + 1) === 1);
    expect(evalOut.every((v) => v === 1)).toBe(true);
    const train = Array.from(head.forward({ ...inputs, training: true, dropoutSeed: 5 }).logits.dataSync()).filter((_, i) => i % (E + 1) === 1);
    const zeros = train.filter((v) => v === 0).length;
    expect(zeros / S).toBeGreaterThan(0.07);
    expect(zeros / S).toBeLessThan(0.13);
    for (const v of train.filter((x) => x !== 0)) expect(v).toBeCloseTo(1 / 0.9, 5);
    const again = Array.from(head.forward({ ...inputs, training: true, dropoutSeed: 5 }).logits.dataSync()).filter((_, i) => i % (E + 1) === 1);
    expect(again).toEqual(train);
    const next = Array.from(head.forward({ ...inputs, training: true }).logits.dataSync()).filter((_, i) => i % (E + 1) === 1);
    expect(next).not.toEqual(train);
    head.dispose();
  });

  it('has gradients matching float64 finite differences for every parameter and the hidden states', () => {
    const { head, W, bias, emb } = makeHead();
    const G = randomArray(B * 4 * (E + 1), 9);
    const spanRanges = { data: ranges.flat(2), shape: [B, 4, 2] };
    const spanWidths = { data: widths.flat(), shape: [B, 4] };
    const loss64 = (h: ArrayLike<number>, w: ArrayLike<number>, bb: ArrayLike<number>, e: ArrayLike<number>): number => {
      let s = 0;
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < 4; k++) {
          const l = linear64(repr64(h, e, b, k), w, bb);
          l.forEach((v, c) => (s += v * G[(b * 4 + k) * (E + 1) + c]));
        }
      }
      return s;
    };
    const g = tf.tensor3d(Float32Array.from(G), [B, 4, E + 1]);
    const h32 = Float64Array.from(Float32Array.from(hiddenData));
    const { grads } = tf.variableGrads(() =>
      tf.sum(tf.mul(head.forward({ hidden: tf.tensor3d(Float32Array.from(h32), [B, T, H]), spanRanges, spanWidths }).logits, g)) as tf.Scalar,
    );
    const dHidden = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(head.forward({ hidden: h as tf.Tensor3D, spanRanges, spanWidths }).logits, g)))(
      tf.tensor3d(Float32Array.from(h32), [B, T, H]),
    ).dataSync();
    const eps = 1e-4;
    const check = (arr: Float64Array, analytic: ArrayLike<number>, f: (x: Float64Array) => number, indices: number[]): void => {
      for (const i of indices) {
        const p = Float64Array.from(arr);
        const m = Float64Array.from(arr);
        p[i] += eps;
        m[i] -= eps;
        expect(Math.abs(analytic[i] - (f(p) - f(m)) / (2 * eps))).toBeLessThan(1e-4);
      }
    };
    const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    check(W, grads[head.weight.name].dataSync(), (x) => loss64(h32, x, bias, emb), all(W.length));
    check(bias, grads[head.bias.name].dataSync(), (x) => loss64(h32, W, x, emb), all(bias.length));
    check(emb, grads[head.sizeEmbeddings.name].dataSync(), (x) => loss64(h32, W, bias, x), all(4 * SE));
    check(h32, dHidden, (x) => loss64(x, W, bias, emb), all(h32.length));
    head.dispose();
  });

  it.each(['mean', 'sum'] as const)('with %s span pooling: logits and the hidden states\' gradient match a float64 re-computation', (pooling) => {
    const { head, W, bias, emb } = makeHead(pooling);
    expect(head.spanPooling).toBe(pooling);
    const spanRanges = { data: ranges.flat(2), shape: [B, 4, 2] };
    const spanWidths = { data: widths.flat(), shape: [B, 4] };
    const h32 = Float64Array.from(Float32Array.from(hiddenData));
    const out = head.forward({ hidden: tf.tensor3d(Float32Array.from(h32), [B, T, H]), spanRanges, spanWidths });
    const logits = out.logits.arraySync();
    const pools = out.spanPool.arraySync();
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < 4; s++) {
        const r = repr64(h32, emb, b, s, pooling);
        const want = linear64(r, W, bias);
        for (let c = 0; c <= E; c++) expect(Math.abs(logits[b][s][c] - want[c])).toBeLessThanOrEqual(1e-5);
        for (let j = 0; j < H; j++) expect(Math.abs(pools[b][s][j] - r[H + j])).toBeLessThanOrEqual(1e-6);
      }
    }
    const G = randomArray(B * 4 * (E + 1), 9);
    const g = tf.tensor3d(Float32Array.from(G), [B, 4, E + 1]);
    const dHidden = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(head.forward({ hidden: h as tf.Tensor3D, spanRanges, spanWidths }).logits, g)))(
      tf.tensor3d(Float32Array.from(h32), [B, T, H]),
    ).dataSync();
    const loss64 = (h: ArrayLike<number>): number => {
      let s = 0;
      for (let b = 0; b < B; b++) for (let k = 0; k < 4; k++) linear64(repr64(h, emb, b, k, pooling), W, bias).forEach((v, c) => (s += v * G[(b * 4 + k) * (E + 1) + c]));
      return s;
    };
    const eps = 1e-4;
    for (let i = 0; i < h32.length; i++) {
      const p = Float64Array.from(h32);
      const m = Float64Array.from(h32);
      p[i] += eps;
      m[i] -= eps;
      expect(Math.abs(dHidden[i] - (loss64(p) - loss64(m)) / (2 * eps))).toBeLessThan(1e-4);
    }
    expect(() => new EntityHead({ hiddenSize: H, numEntityTypes: E, spanPooling: 'median' as never })).toThrow(/spanPooling must be max, mean or sum, got "median"/);
    head.dispose();
  });

  it('loads only well-shaped tensors and says which are wrong or missing', () => {
    const head = new EntityHead({ hiddenSize: H, numEntityTypes: E, sizeEmbedding: SE });
    expect(() => head.loadTensors({ 'entity_classifier.bias': tf.zeros([E + 1]) })).toThrow(
      /missing size_embeddings.weight, entity_classifier.weight/,
    );
    expect(() =>
      head.loadTensors({
        'size_embeddings.weight': tf.zeros([100, SE]),
        'entity_classifier.weight': tf.zeros([2 * H + SE, E + 1]),
        'entity_classifier.bias': tf.zeros([E + 1]),
      }),
    ).toThrow(/entity_classifier.weight has shape \[13, 4\], expected \[4, 13\]/);
    head.dispose();
  });

  it('rejects widths outside the table and mismatched shapes', () => {
    const head = new EntityHead({ hiddenSize: H, numEntityTypes: E, sizeEmbedding: SE });
    const hidden = tf.zeros([1, 4, H]) as tf.Tensor3D;
    expect(() => head.forward({ hidden, spanRanges: { data: [1, 2], shape: [1, 1, 2] }, spanWidths: { data: [100], shape: [1, 1] } })).toThrow(
      /span width 100 at batch 0, span 0/,
    );
    expect(() => head.forward({ hidden, spanRanges: { data: [1, 2], shape: [1, 1, 2] }, spanWidths: { data: [1, 1], shape: [1, 2] } })).toThrow(
      /must match spanRanges/,
    );
    expect(() => head.forward({ hidden: tf.zeros([1, 4, 3]) as tf.Tensor3D, spanRanges: { data: [1, 2], shape: [1, 1, 2] }, spanWidths: { data: [1], shape: [1, 1] } })).toThrow(
      /hidden must be \[B,T,4\]/,
    );
    head.dispose();
  });
});
