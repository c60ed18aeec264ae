// Plain-TypeScript float64 re-computation of BERT and SpERT's heads, used by the tests as the
// independent reference for the ONNX graphs (straight loops, no shared code with the export).
import type { SpanPooling } from '@spert/core';
import type { EncoderShape } from './export-encoder';
import type { WeightMap } from './weights';
import { internalError } from '@spert/core';

type Mat = Float64Array[];

function w(weights: WeightMap, name: string): Float64Array {
  const t = weights.get(name);
  if (!t) throw internalError(`reference: missing ${name}`);
  return Float64Array.from(t.data);
}

function linear(x: Mat, W: Float64Array, b: Float64Array, nOut: number): Mat {
  const nIn = x[0]?.length ?? 0;
  return x.map((row) => {
    const out = new Float64Array(nOut);
    for (let o = 0; o < nOut; o++) {
      let s = b[o];
      for (let i = 0; i < nIn; i++) s += W[o * nIn + i] * row[i];
      out[o] = s;
    }
    return out;
  });
}

function layerNorm(x: Mat, g: Float64Array, b: Float64Array, eps: number): Mat {
  return x.map((row) => {
    const n = row.length;
    let mean = 0;
    for (const v of row) mean += v;
    mean /= n;
    let vr = 0;
    for (const v of row) vr += (v - mean) ** 2;
    vr /= n;
    const inv = 1 / Math.sqrt(vr + eps);
    return row.map((v, i) => (v - mean) * inv * g[i] + b[i]);
  });
}

/** erf to ~1e-15 (series for small x, continued fraction otherwise). */
export function erf64(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = 0;
    let term = ax;
    for (let n = 0; n < 200; n++) {
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
      term *= (-ax * ax) / (n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

/** Last hidden state of one unpadded sequence, float64, [T][H]. */
export function bertForward64(config: EncoderShape, weights: WeightMap, ids: number[], typeIds: number[], mask: number[], prefix = 'bert.'): Mat {
  const H = config.hidden_size;
  const nH = config.num_attention_heads;
  const dH = H / nH;
  const p = (n: string) => w(weights, prefix + n);
  const we = p('embeddings.word_embeddings.weight');
  const pe = p('embeddings.position_embeddings.weight');
  const te = p('embeddings.token_type_embeddings.weight');
  let x: Mat = ids.map((id, t) => {
    const row = new Float64Array(H);
    for (let h = 0; h < H; h++) row[h] = we[id * H + h] + pe[t * H + h] + te[typeIds[t] * H + h];
    return row;
  });
  const eps = config.layer_norm_eps;
  x = layerNorm(x, p('embeddings.LayerNorm.weight'), p('embeddings.LayerNorm.bias'), eps);
  const T = ids.length;
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const q = (n: string) => p(`encoder.layer.${l}.${n}`);
    const Q = linear(x, q('attention.self.query.weight'), q('attention.self.query.bias'), H);
    const K = linear(x, q('attention.self.key.weight'), q('attention.self.key.bias'), H);
    const V = linear(x, q('attention.self.value.weight'), q('attention.self.value.bias'), H);
    const ctx: Mat = Array.from({ length: T }, () => new Float64Array(H));
    for (let h = 0; h < nH; h++) {
      for (let i = 0; i < T; i++) {
        const scores = new Float64Array(T);
        let mx = -Infinity;
        for (let j = 0; j < T; j++) {
          let s = 0;
          for (let d = 0; d < dH; d++) s += Q[i][h * dH + d] * K[j][h * dH + d];
          scores[j] = mask[j] ? s / Math.sqrt(dH) : -Infinity;
          mx = Math.max(mx, scores[j]);
        }
        let z = 0;
        for (let j = 0; j < T; j++) z += scores[j] === -Infinity ? 0 : Math.exp(scores[j] - mx);
        for (let j = 0; j < T; j++) {
          if (!mask[j]) continue;
          const a = Math.exp(scores[j] - mx) / z;
          for (let d = 0; d < dH; d++) ctx[i][h * dH + d] += a * V[j][h * dH + d];
        }
      }
    }
    const ao = linear(ctx, q('attention.output.dense.weight'), q('attention.output.dense.bias'), H);
    x = layerNorm(ao.map((r, i) => r.map((v, k) => v + x[i][k])), q('attention.output.LayerNorm.weight'), q('attention.output.LayerNorm.bias'), eps);
    const inter = linear(x, q('intermediate.dense.weight'), q('intermediate.dense.bias'), config.intermediate_size).map((r) =>
      r.map((v) => 0.5 * v * (1 + erf64(v / Math.SQRT2))),
    );
    const out = linear(inter, q('output.dense.weight'), q('output.dense.bias'), H);
    x = layerNorm(out.map((r, i) => r.map((v, k) => v + x[i][k])), q('output.LayerNorm.weight'), q('output.LayerNorm.bias'), eps);
  }
  return x;
}

function maxPool(h: Mat, start: number, end: number): Float64Array {
  const out = new Float64Array(h[0].length).fill(-Infinity);
  for (let t = start; t < end; t++) for (let k = 0; k < out.length; k++) out[k] = Math.max(out[k], h[t][k]);
  return out;
}

function sumPool(h: Mat, start: number, end: number, mean: boolean): Float64Array {
  const out = new Float64Array(h[0].length);
  for (let t = start; t < end; t++) for (let k = 0; k < out.length; k++) out[k] += h[t][k];
  if (mean && end > start) for (let k = 0; k < out.length; k++) out[k] /= end - start;
  return out;
}

/** A span's pooled representation: max (the reference), mean or sum; zeros for an empty range. */
function pool(h: Mat, start: number, end: number, pooling: SpanPooling): Float64Array {
  if (end <= start) return new Float64Array(h[0].length);
  return pooling === 'max' ? maxPool(h, start, end) : sumPool(h, start, end, pooling === 'mean');
}

/** Entity logits [S][E+1] for spans (wordpiece ranges, widths in words) of one document. */
export function entityLogits64(weights: WeightMap, h: Mat, ranges: Array<[number, number]>, widths: number[], pooling: SpanPooling = 'max'): Mat {
  const size = w(weights, 'size_embeddings.weight');
  const dim = weights.get('size_embeddings.weight')!.shape[1];
  const [nOut] = weights.get('entity_classifier.weight')!.shape;
  const reprs = ranges.map(([s, e], i) => Float64Array.from([...h[0], ...pool(h, s, e, pooling), ...size.subarray(widths[i] * dim, (widths[i] + 1) * dim)]));
  return linear(reprs, w(weights, 'entity_classifier.weight'), w(weights, 'entity_classifier.bias'), nOut);
}

/**
 * Relation logits [P][R] for ordered pairs of spans of one document; the context is the
 * localized one unless `contexts` gives each pair's range (max-pooled, zeros when empty).
 */
export function relationLogits64(
  weights: WeightMap,
  h: Mat,
  ranges: Array<[number, number]>,
  widths: number[],
  pairs: Array<[number, number]>,
  options: { pooling?: SpanPooling; contexts?: Array<[number, number]> } = {},
): Mat {
  const pooling = options.pooling ?? 'max';
  const size = w(weights, 'size_embeddings.weight');
  const dim = weights.get('size_embeddings.weight')!.shape[1];
  const [nOut] = weights.get('rel_classifier.weight')!.shape;
  const emb = (i: number) => size.subarray(widths[i] * dim, (widths[i] + 1) * dim);
  const reprs = pairs.map(([a, b], p) => {
    const [s1, e1] = ranges[a];
    const [s2, e2] = ranges[b];
    const [cs, ce] = options.contexts ? options.contexts[p] : e1 < s2 ? [e1, s2] : [e2, s1];
    const ctx = ce > cs ? maxPool(h, cs, ce) : new Float64Array(h[0].length);
    return Float64Array.from([...ctx, ...pool(h, s1, e1, pooling), ...pool(h, s2, e2, pooling), ...emb(a), ...emb(b)]);
  });
  return linear(reprs, w(weights, 'rel_classifier.weight'), w(weights, 'rel_classifier.bias'), nOut);
}
