import * as ort from 'onnxruntime-node';
import { maxAbsDiff } from '../../../tools/testing/float64';
import { buildEncoderGraph, type EncoderShape } from './export-encoder';
import { buildEntityHeadGraph, buildRelationHeadGraph } from './export-heads';
import { bertForward64, entityLogits64, relationLogits64 } from './float64-reference';
import { randomSpertWeights } from './random-weights';

const config: EncoderShape = {
  vocab_size: 50,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 24,
  max_position_embeddings: 40,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
};
const weights = randomSpertWeights({ config, entityClasses: 4, relationTypes: 3, sizeEmbedding: 5, seed: 7, scale: 0.3 });
const H = config.hidden_size;

function i64(data: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims);
}

describe('exported graphs vs a float64 plain-TS re-computation', () => {
  const docs = [
    [2, 5, 7, 9, 11, 13, 3],
    [2, 8, 4, 3],
  ];
  const T = 7;
  let hidden: Float32Array;

  it('encoder.onnx reproduces BERT hidden states within 1e-4, padded batch with token types', async () => {
    const session = await ort.InferenceSession.create(buildEncoderGraph({ config, weights }));
    const ids = docs.flatMap((d) => [...d, ...Array(T - d.length).fill(0)]);
    const mask = docs.flatMap((d) => [...d.map(() => 1), ...Array(T - d.length).fill(0)]);
    const types = [0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const out = await session.run({ input_ids: i64(ids, [2, T]), attention_mask: i64(mask, [2, T]), token_type_ids: i64(types, [2, T]) });
    const lhs = out.last_hidden_state;
    expect(lhs.dims).toEqual([2, T, H]);
    hidden = lhs.data as Float32Array;
    for (let b = 0; b < 2; b++) {
      const n = docs[b].length;
      const ref = bertForward64(config, weights, docs[b], types.slice(b * T, b * T + n), Array(n).fill(1));
      const got = hidden.subarray(b * T * H, (b * T + n) * H);
      expect(maxAbsDiff(got, ref.flatMap((r) => [...r]))).toBeLessThan(1e-4);
    }
    await session.release();
  });

  it('without a token_type_ids input the encoder equals the full graph fed zeros', async () => {
    const full = await ort.InferenceSession.create(buildEncoderGraph({ config, weights }));
    const two = await ort.InferenceSession.create(buildEncoderGraph({ config, weights, tokenTypeIds: false }));
    expect(two.inputNames).toEqual(['input_ids', 'attention_mask']);
    const ids = i64([2, 5, 7, 3], [1, 4]);
    const mask = i64([1, 1, 1, 1], [1, 4]);
    const a = (await full.run({ input_ids: ids, attention_mask: mask, token_type_ids: i64([0, 0, 0, 0], [1, 4]) })).last_hidden_state.data as Float32Array;
    const b = (await two.run({ input_ids: ids, attention_mask: mask })).last_hidden_state.data as Float32Array;
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    await Promise.all([full.release(), two.release()]);
  });

  it('entity_head.onnx logits/probs match the reference span pooling + classifier within 1e-4', async () => {
    const session = await ort.InferenceSession.create(buildEntityHeadGraph({ weights, hiddenSize: H, maxSequenceLength: config.max_position_embeddings }));
    // Spans of every width 1..5 of doc 0 (positions 1..5), plus a padded row (0,0) for doc 1.
    const spans0: Array<[number, number]> = [];
    for (let w = 1; w <= 5; w++) for (let s = 1; s + w <= 6; s++) spans0.push([s, s + w]);
    const spans1: Array<[number, number]> = [[1, 2], [2, 3], [1, 3]];
    const S = spans0.length;
    const padded1 = [...spans1, ...Array(S - spans1.length).fill([0, 0])] as Array<[number, number]>;
    const ranges = [...spans0, ...padded1].flat();
    const widths = [...spans0, ...padded1].map(([s, e]) => e - s);
    const out = await session.run({
      hidden_states: new ort.Tensor('float32', hidden, [2, T, H]),
      span_ranges: i64(ranges, [2, S, 2]),
      span_widths: i64(widths, [2, S]),
    });
    const logits = out.entity_logits.data as Float32Array;
    const probs = out.entity_probs.data as Float32Array;
    expect(out.entity_logits.dims).toEqual([2, S, 4]);
    const h = (b: number) => Array.from({ length: T }, (_, t) => Float64Array.from(hidden.subarray((b * T + t) * H, (b * T + t + 1) * H)));
    const ref0 = entityLogits64(weights, h(0), spans0, spans0.map(([s, e]) => e - s));
    const ref1 = entityLogits64(weights, h(1), spans1, spans1.map(([s, e]) => e - s));
    expect(maxAbsDiff(logits.subarray(0, S * 4), ref0.flatMap((r) => [...r]))).toBeLessThan(1e-4);
    expect(maxAbsDiff(logits.subarray(S * 4, S * 4 + spans1.length * 4), ref1.flatMap((r) => [...r]))).toBeLessThan(1e-4);
    for (let r = 0; r < 2 * S; r++) {
      const row = logits.subarray(r * 4, r * 4 + 4);
      const mx = Math.max(...row);
      const z = row.reduce((a, v) => a + Math.exp(v - mx), 0);
      for (let c = 0; c < 4; c++) expect(Math.abs(probs[r * 4 + c] - Math.exp(row[c] - mx) / z)).toBeLessThan(1e-6);
    }
    await session.release();
  });

  it('relation_head.onnx logits match the reference (context between, adjacent, overlapping, reversed) within 1e-4', async () => {
    const session = await ort.InferenceSession.create(buildRelationHeadGraph({ weights, hiddenSize: H, maxSequenceLength: config.max_position_embeddings }));
    const spans: Array<[number, number]> = [[1, 2], [2, 4], [5, 6], [3, 6], [1, 6]];
    const widths = spans.map(([s, e]) => e - s);
    const pairs: Array<[number, number]> = [];
    for (let a = 0; a < spans.length; a++) for (let b = 0; b < spans.length; b++) if (a !== b) pairs.push([a, b]);
    const out = await session.run({
      hidden_states: new ort.Tensor('float32', hidden.subarray(0, T * H), [1, T, H]),
      span_ranges: i64(spans.flat(), [1, spans.length, 2]),
      span_widths: i64(widths, [1, spans.length]),
      pairs: i64(pairs.flat(), [1, pairs.length, 2]),
    });
    const h = Array.from({ length: T }, (_, t) => Float64Array.from(hidden.subarray(t * H, (t + 1) * H)));
    const ref = relationLogits64(weights, h, spans, widths, pairs);
    expect(out.relation_logits.dims).toEqual([1, pairs.length, 3]);
    expect(maxAbsDiff(out.relation_logits.data as Float32Array, ref.flatMap((r) => [...r]))).toBeLessThan(1e-4);
    const sig = (out.relation_logits.data as Float32Array).map((v) => 1 / (1 + Math.exp(-v)));
    expect(maxAbsDiff(out.relation_probs.data as Float32Array, sig)).toBeLessThan(1e-6);
    await session.release();
  });

  it.each(['mean', 'sum'] as const)('entity_head.onnx with %s span pooling matches the float64 reference within 1e-4', async (spanPooling) => {
    const session = await ort.InferenceSession.create(buildEntityHeadGraph({ weights, hiddenSize: H, maxSequenceLength: config.max_position_embeddings, spanPooling }));
    const spans0: Array<[number, number]> = [];
    for (let w = 1; w <= 5; w++) for (let s = 1; s + w <= 6; s++) spans0.push([s, s + w]);
    const spans1: Array<[number, number]> = [[1, 2], [2, 3], [1, 3]];
    const S = spans0.length;
    const padded1 = [...spans1, ...Array(S - spans1.length).fill([0, 0])] as Array<[number, number]>;
    const out = await session.run({
      hidden_states: new ort.Tensor('float32', hidden, [2, T, H]),
      span_ranges: i64([...spans0, ...padded1].flat(), [2, S, 2]),
      span_widths: i64([...spans0, ...padded1].map(([s, e]) => e - s), [2, S]),
    });
    const logits = out.entity_logits.data as Float32Array;
    const h = (b: number) => Array.from({ length: T }, (_, t) => Float64Array.from(hidden.subarray((b * T + t) * H, (b * T + t + 1) * H)));
    const ref0 = entityLogits64(weights, h(0), spans0, spans0.map(([s, e]) => e - s), spanPooling);
    const ref1 = entityLogits64(weights, h(1), padded1, padded1.map(([s, e]) => e - s), spanPooling);
    expect(maxAbsDiff(logits.subarray(0, S * 4), ref0.flatMap((r) => [...r]))).toBeLessThan(1e-4);
    // padding rows pool to zeros, as in TF.js
    expect(maxAbsDiff(logits.subarray(S * 4), ref1.flatMap((r) => [...r]))).toBeLessThan(1e-4);
    const max = entityLogits64(weights, h(0), spans0, spans0.map(([s, e]) => e - s));
    expect(maxAbsDiff(logits.subarray(0, S * 4), max.flatMap((r) => [...r]))).toBeGreaterThan(1e-3);
    await session.release();
  });

  it.each([
    ['sentence', 'mean'],
    ['cls', 'max'],
    ['none', 'sum'],
  ] as const)('relation_head.onnx with the %s context (%s pooling) pools the given pair_contexts like the float64 reference', async (relationContext, spanPooling) => {
    const session = await ort.InferenceSession.create(
      buildRelationHeadGraph({ weights, hiddenSize: H, maxSequenceLength: config.max_position_embeddings, relationContext, spanPooling }),
    );
    expect(session.inputNames).toEqual(['hidden_states', 'span_ranges', 'span_widths', 'pairs', 'pair_contexts']);
    const spans: Array<[number, number]> = [[1, 2], [2, 4], [5, 6], [3, 6], [1, 6]];
    const widths = spans.map(([s, e]) => e - s);
    const pairs: Array<[number, number]> = [];
    for (let a = 0; a < spans.length; a++) for (let b = 0; b < spans.length; b++) if (a !== b) pairs.push([a, b]);
    const range: [number, number] = relationContext === 'sentence' ? [1, 6] : relationContext === 'cls' ? [0, 1] : [0, 0];
    const contexts = pairs.map(() => range);
    const out = await session.run({
      hidden_states: new ort.Tensor('float32', hidden.subarray(0, T * H), [1, T, H]),
      span_ranges: i64(spans.flat(), [1, spans.length, 2]),
      span_widths: i64(widths, [1, spans.length]),
      pairs: i64(pairs.flat(), [1, pairs.length, 2]),
      pair_contexts: i64(contexts.flat(), [1, pairs.length, 2]),
    });
    const h = Array.from({ length: T }, (_, t) => Float64Array.from(hidden.subarray(t * H, (t + 1) * H)));
    const ref = relationLogits64(weights, h, spans, widths, pairs, { pooling: spanPooling, contexts });
    expect(maxAbsDiff(out.relation_logits.data as Float32Array, ref.flatMap((r) => [...r]))).toBeLessThan(1e-4);
    await session.release();
  });

  it('keeps the reference graphs\' inputs for the defaults and refuses a variant it cannot build', async () => {
    const opts = { weights, hiddenSize: H, maxSequenceLength: config.max_position_embeddings };
    const rel = await ort.InferenceSession.create(buildRelationHeadGraph({ ...opts, relationContext: 'localized', spanPooling: 'max' }));
    expect(rel.inputNames).toEqual(['hidden_states', 'span_ranges', 'span_widths', 'pairs']);
    await rel.release();
    expect(buildRelationHeadGraph({ ...opts, relationContext: 'localized', spanPooling: 'max' })).toEqual(buildRelationHeadGraph(opts));
    expect(buildEntityHeadGraph({ ...opts, spanPooling: 'max' })).toEqual(buildEntityHeadGraph(opts));
    expect(() => buildEntityHeadGraph({ ...opts, spanPooling: 'median' as never })).toThrow(/ONNX export: span_pooling "median" has no graph/);
    expect(() => buildRelationHeadGraph({ ...opts, relationContext: 'global' as never })).toThrow(/ONNX export: relation_context "global" has no graph/);
  });
});
