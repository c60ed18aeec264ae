// SpERT's two heads as standalone ONNX graphs, so the runtime filters entities between them:
// entity_head.onnx scores every candidate span; relation_head.onnx scores ordered pairs of the
// spans the filter kept, computing each pair's localized context inside the graph.
import { GraphBuilder } from './graph-builder';
import { buildRangeMaxTable, levelsFor, rangeMax } from './range-max';
import { getWeight, transpose2d, weightShape, type WeightMap } from './weights';

/** Options shared by the head graph builders. */
export interface BuildHeadOptions {
  /** Parameters under the reference's names (entity_classifier.*, rel_classifier.*, size_embeddings.weight). */
  weights: WeightMap;
  hiddenSize: number;
  /** Longest wordpiece sequence the graph must pool over (the encoder's max_position_embeddings). */
  maxSequenceLength: number;
}

function linear(g: GraphBuilder, weights: WeightMap, x: string, name: string, nIn: number): string {
  const [nOut] = weightShape(weights, `${name}.weight`);
  const W = getWeight(weights, `${name}.weight`, [nOut, nIn]);
  const wt = g.floatTensor(`${name}.weight_t`, [nIn, nOut], transpose2d(W, nOut, nIn));
  const b = g.floatTensor(`${name}.bias`, [nOut], getWeight(weights, `${name}.bias`, [nOut]));
  return g.op('Add', [g.op('MatMul', [x, wt]), b]);
}

function sizeTable(g: GraphBuilder, weights: WeightMap): { table: string; dim: number } {
  const shape = weightShape(weights, 'size_embeddings.weight');
  if (shape.length !== 2) throw new Error(`checkpoint: size_embeddings.weight must be 2-D, got [${shape.join(', ')}]`);
  return { table: g.floatTensor('size_embeddings.weight', shape, getWeight(weights, 'size_embeddings.weight', shape)), dim: shape[1] };
}

function column(g: GraphBuilder, x: string, i: number, axisName: string): string {
  return g.op('Gather', [x, g.intTensor(`${axisName}_col_${i}`, [], [i])], { axis: 2 });
}

/**
 * entity_head.onnx: hidden_states [B,T,H], span_ranges int64 [B,S,2] (wordpiece [start,end)),
 * span_widths int64 [B,S] (in words) -> entity_logits, entity_probs [B,S,E+1] (softmax, 0 = none).
 */
export function buildEntityHeadGraph({ weights, hiddenSize: H, maxSequenceLength }: BuildHeadOptions): Uint8Array {
  const g = new GraphBuilder('spert_entity_head');
  const hidden = g.input({ name: 'hidden_states', type: 'float32', dims: ['batch', 'sequence', H] });
  const ranges = g.input({ name: 'span_ranges', type: 'int64', dims: ['batch', 'spans', 2] });
  const widths = g.input({ name: 'span_widths', type: 'int64', dims: ['batch', 'spans'] });
  const table = buildRangeMaxTable(g, hidden, levelsFor(maxSequenceLength));
  const pooled = rangeMax(g, table, column(g, ranges, 0, 'span'), column(g, ranges, 1, 'span'));
  // The context vector is the [CLS] hidden state (position 0 in every encoded document).
  const cls = g.op('Unsqueeze', [g.op('Gather', [hidden, g.intTensor('cls_pos', [], [0])], { axis: 1 }), g.intTensor('axis_1', [1], [1])]);
  const clsExpanded = g.op('Expand', [cls, g.op('Shape', [pooled])]);
  const size = sizeTable(g, weights);
  const sizeEmb = g.op('Gather', [size.table, widths], { axis: 0 });
  const repr = g.op('Concat', [clsExpanded, pooled, sizeEmb], { axis: 2 });
  const logits = linear(g, weights, repr, 'entity_classifier', 2 * H + size.dim);
  const [nOut] = weightShape(weights, 'entity_classifier.weight');
  g.output(logits, { name: 'entity_logits', type: 'float32', dims: ['batch', 'spans', nOut] });
  g.output(g.op('Softmax', [logits], { axis: -1 }), { name: 'entity_probs', type: 'float32', dims: ['batch', 'spans', nOut] });
  return g.toBytes('SpERT entity head exported by @spert/onnx');
}

/**
 * relation_head.onnx: hidden_states [B,T,H], span_ranges int64 [B,K,2] and span_widths [B,K] of
 * the kept spans, pairs int64 [B,P,2] (head, tail indices into K) -> relation_logits,
 * relation_probs [B,P,R] (sigmoid). The context is the max over wordpieces strictly between the
 * two spans, zeros when that range is empty (the reference's create_rel_mask rule).
 */
export function buildRelationHeadGraph({ weights, hiddenSize: H, maxSequenceLength }: BuildHeadOptions): Uint8Array {
  const g = new GraphBuilder('spert_relation_head');
  const hidden = g.input({ name: 'hidden_states', type: 'float32', dims: ['batch', 'sequence', H] });
  const ranges = g.input({ name: 'span_ranges', type: 'int64', dims: ['batch', 'spans', 2] });
  const widths = g.input({ name: 'span_widths', type: 'int64', dims: ['batch', 'spans'] });
  const pairs = g.input({ name: 'pairs', type: 'int64', dims: ['batch', 'pairs', 2] });
  const table = buildRangeMaxTable(g, hidden, levelsFor(maxSequenceLength));
  const pooled = rangeMax(g, table, column(g, ranges, 0, 'span'), column(g, ranges, 1, 'span'));
  const size = sizeTable(g, weights);
  const sizeEmb = g.op('Gather', [size.table, widths], { axis: 0 });
  const lastAxis = g.intTensor('last_axis', [1], [-1]);
  const headIdx = g.op('Unsqueeze', [column(g, pairs, 0, 'pair'), lastAxis]);
  const tailIdx = g.op('Unsqueeze', [column(g, pairs, 1, 'pair'), lastAxis]);
  const byPair = (x: string, idx: string) => g.op('GatherND', [x, idx], { batch_dims: 1 });
  const headRange = byPair(ranges, headIdx);
  const tailRange = byPair(ranges, tailIdx);
  const hs = g.op('Gather', [headRange, g.intTensor('r0', [], [0])], { axis: 2 });
  const he = g.op('Gather', [headRange, g.intTensor('r1', [], [1])], { axis: 2 });
  const ts = g.op('Gather', [tailRange, g.intTensor('r0b', [], [0])], { axis: 2 });
  const te = g.op('Gather', [tailRange, g.intTensor('r1b', [], [1])], { axis: 2 });
  const headFirst = g.op('Less', [he, ts]);
  const ctxStart = g.op('Where', [headFirst, he, te]);
  const ctxEnd = g.op('Where', [headFirst, ts, hs]);
  const ctxMax = rangeMax(g, table, ctxStart, ctxEnd);
  const nonEmpty = g.op('Unsqueeze', [g.op('Greater', [ctxEnd, ctxStart]), lastAxis]);
  const ctx = g.op('Where', [nonEmpty, ctxMax, g.scalar(0, 'zero_f')]);
  const repr = g.op('Concat', [ctx, byPair(pooled, headIdx), byPair(pooled, tailIdx), byPair(sizeEmb, headIdx), byPair(sizeEmb, tailIdx)], { axis: 2 });
  const logits = linear(g, weights, repr, 'rel_classifier', 3 * H + 2 * size.dim);
  const [nOut] = weightShape(weights, 'rel_classifier.weight');
  g.output(logits, { name: 'relation_logits', type: 'float32', dims: ['batch', 'pairs', nOut] });
  g.output(g.op('Sigmoid', [logits]), { name: 'relation_probs', type: 'float32', dims: ['batch', 'pairs', nOut] });
  return g.toBytes('SpERT relation head exported by @spert/onnx');
}
