// SpERT's two heads as standalone ONNX graphs, so the runtime filters entities between them:
// entity_head.onnx scores every candidate span; relation_head.onnx scores ordered pairs of the
// spans the filter kept, computing each pair's localized context inside the graph (or, for the
// relation_context ablations, max-pooling the context range the pipeline computed).
import type { RelationContext, RelationEntityTypes, SpanPooling } from '@spert/core';
import { GraphBuilder } from './graph-builder';
import { buildRangeMaxTable, levelsFor, rangeMax, type RangeMaxTable } from './range-max';
import { getWeight, transpose2d, weightShape, type WeightMap } from './weights';
import { SpertError } from '@spert/core';

/** Options shared by the head graph builders. */
export interface BuildHeadOptions {
  /** Parameters under the reference's names (entity_classifier.*, rel_classifier.*, size_embeddings.weight). */
  weights: WeightMap;
  hiddenSize: number;
  /** Longest wordpiece sequence the graph must pool over (the encoder's max_position_embeddings). */
  maxSequenceLength: number;
  /** Span fusion (spert.span_pooling; default 'max', the reference). */
  spanPooling?: SpanPooling;
  /** Relation context (spert.relation_context; default 'localized', the reference). */
  relationContext?: RelationContext;
  /** Entity types into the relation classifier (spert.relation_entity_types; default 'none', the reference). */
  relationEntityTypes?: RelationEntityTypes;
}

const POOLINGS: readonly SpanPooling[] = ['max', 'mean', 'sum'];
const CONTEXTS: readonly RelationContext[] = ['localized', 'sentence', 'cls', 'none'];

/** Refuses a variant these graphs cannot build, so that no export silently falls back to the reference's. */
function checkVariant({ spanPooling = 'max', relationContext = 'localized' }: Pick<BuildHeadOptions, 'spanPooling' | 'relationContext'>): void {
  if (!POOLINGS.includes(spanPooling)) throw new SpertError('UNSUPPORTED', `ONNX export: span_pooling ${JSON.stringify(spanPooling)} has no graph; expected one of ${POOLINGS.join(', ')}`);
  if (!CONTEXTS.includes(relationContext)) {
    throw new SpertError('UNSUPPORTED', `ONNX export: relation_context ${JSON.stringify(relationContext)} has no graph; expected one of ${CONTEXTS.join(', ')}`);
  }
}

/**
 * Sum (or mean) of hidden [B,T,H] over [start, end) for int64 starts/ends [B,N] -> [B,N,H], as
 * a 0/1 mask [B,N,T] times hidden: memory O(N*T), float32 accumulation like a plain loop, and an
 * empty range gives zeros (the mean divides by max(length, 1)).
 */
function rangeSum(g: GraphBuilder, hidden: string, starts: string, ends: string, mean: boolean): string {
  const seqLen = g.op('Gather', [g.op('Shape', [hidden]), g.intTensor('rs_one_index', [], [1])], { axis: 0 });
  const positions = g.op('Range', [g.intTensor('rs_zero', [], [0]), seqLen, g.intTensor('rs_step', [], [1])]);
  const lastAxis = g.intTensor('rs_last_axis', [1], [-1]);
  const s = g.op('Unsqueeze', [starts, lastAxis]);
  const e = g.op('Unsqueeze', [ends, lastAxis]);
  const inside = g.op('And', [g.op('GreaterOrEqual', [positions, s]), g.op('Less', [positions, e])]);
  const sum = g.op('MatMul', [g.op('Cast', [inside], { to: 1 }), hidden]);
  if (!mean) return sum;
  const length = g.op('Cast', [g.op('Max', [g.op('Sub', [e, s]), g.intTensor('rs_one', [], [1])])], { to: 1 });
  return g.op('Div', [sum, length]);
}

/** A span's representation under the model's pooling: the sparse-table max or the masked sum/mean. */
function poolRanges(g: GraphBuilder, hidden: string, table: RangeMaxTable | undefined, starts: string, ends: string, pooling: SpanPooling): string {
  if (pooling === 'max') return rangeMax(g, table as RangeMaxTable, starts, ends);
  return rangeSum(g, hidden, starts, ends, pooling === 'mean');
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
  if (shape.length !== 2) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: size_embeddings.weight must be 2-D, got [${shape.join(', ')}]`);
  return { table: g.floatTensor('size_embeddings.weight', shape, getWeight(weights, 'size_embeddings.weight', shape)), dim: shape[1] };
}

function column(g: GraphBuilder, x: string, i: number, axisName: string): string {
  return g.op('Gather', [x, g.intTensor(`${axisName}_col_${i}`, [], [i])], { axis: 2 });
}

/**
 * entity_head.onnx: hidden_states [B,T,H], span_ranges int64 [B,S,2] (wordpiece [start,end)),
 * span_widths int64 [B,S] (in words) -> entity_logits, entity_probs [B,S,E+1] (softmax, 0 = none).
 * Spans are max-pooled, or summed/averaged for the span_pooling ablation.
 */
export function buildEntityHeadGraph({ weights, hiddenSize: H, maxSequenceLength, spanPooling = 'max', relationContext }: BuildHeadOptions): Uint8Array {
  checkVariant({ spanPooling, relationContext });
  const g = new GraphBuilder('spert_entity_head');
  const hidden = g.input({ name: 'hidden_states', type: 'float32', dims: ['batch', 'sequence', H] });
  const ranges = g.input({ name: 'span_ranges', type: 'int64', dims: ['batch', 'spans', 2] });
  const widths = g.input({ name: 'span_widths', type: 'int64', dims: ['batch', 'spans'] });
  const table = spanPooling === 'max' ? buildRangeMaxTable(g, hidden, levelsFor(maxSequenceLength)) : undefined;
  const pooled = poolRanges(g, hidden, table, column(g, ranges, 0, 'span'), column(g, ranges, 1, 'span'), spanPooling);
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
 * two spans, zeros when that range is empty (the reference's create_rel_mask rule). For the
 * relation_context ablations (sentence, cls, none) the graph takes one more input, pair_contexts
 * int64 [B,P,2], the context ranges the pipeline computed (the sentence, [0, 1) for [CLS], [0, 0]
 * for none), and max-pools those the same way, so that rule is written once, in @spert/span-sampler.
 * With relation_entity_types "embedding" it also takes span_types int64 [B,K], the predicted
 * entity type of each span (the pipeline's filter decides it), and appends the head's and the
 * tail's row of rel_type_embeddings.weight to the classifier's input.
 */
export function buildRelationHeadGraph({ weights, hiddenSize: H, maxSequenceLength, spanPooling = 'max', relationContext = 'localized', relationEntityTypes = 'none' }: BuildHeadOptions): Uint8Array {
  checkVariant({ spanPooling, relationContext });
  const g = new GraphBuilder('spert_relation_head');
  const hidden = g.input({ name: 'hidden_states', type: 'float32', dims: ['batch', 'sequence', H] });
  const ranges = g.input({ name: 'span_ranges', type: 'int64', dims: ['batch', 'spans', 2] });
  const widths = g.input({ name: 'span_widths', type: 'int64', dims: ['batch', 'spans'] });
  const pairs = g.input({ name: 'pairs', type: 'int64', dims: ['batch', 'pairs', 2] });
  const givenContexts = relationContext === 'localized' ? undefined : g.input({ name: 'pair_contexts', type: 'int64', dims: ['batch', 'pairs', 2] });
  const spanTypes = relationEntityTypes === 'embedding' ? g.input({ name: 'span_types', type: 'int64', dims: ['batch', 'spans'] }) : undefined;
  const table = buildRangeMaxTable(g, hidden, levelsFor(maxSequenceLength));
  const pooled = poolRanges(g, hidden, table, column(g, ranges, 0, 'span'), column(g, ranges, 1, 'span'), spanPooling);
  const size = sizeTable(g, weights);
  const sizeEmb = g.op('Gather', [size.table, widths], { axis: 0 });
  const lastAxis = g.intTensor('last_axis', [1], [-1]);
  const headIdx = g.op('Unsqueeze', [column(g, pairs, 0, 'pair'), lastAxis]);
  const tailIdx = g.op('Unsqueeze', [column(g, pairs, 1, 'pair'), lastAxis]);
  const byPair = (x: string, idx: string) => g.op('GatherND', [x, idx], { batch_dims: 1 });
  const localizedContext = (): [string, string] => {
    const headRange = byPair(ranges, headIdx);
    const tailRange = byPair(ranges, tailIdx);
    const hs = g.op('Gather', [headRange, g.intTensor('r0', [], [0])], { axis: 2 });
    const he = g.op('Gather', [headRange, g.intTensor('r1', [], [1])], { axis: 2 });
    const ts = g.op('Gather', [tailRange, g.intTensor('r0b', [], [0])], { axis: 2 });
    const te = g.op('Gather', [tailRange, g.intTensor('r1b', [], [1])], { axis: 2 });
    const headFirst = g.op('Less', [he, ts]);
    return [g.op('Where', [headFirst, he, te]), g.op('Where', [headFirst, ts, hs])];
  };
  const [ctxStart, ctxEnd] = givenContexts ? [column(g, givenContexts, 0, 'ctx'), column(g, givenContexts, 1, 'ctx')] : localizedContext();
  const ctxMax = rangeMax(g, table, ctxStart, ctxEnd);
  const nonEmpty = g.op('Unsqueeze', [g.op('Greater', [ctxEnd, ctxStart]), lastAxis]);
  const ctx = g.op('Where', [nonEmpty, ctxMax, g.scalar(0, 'zero_f')]);
  const parts = [ctx, byPair(pooled, headIdx), byPair(pooled, tailIdx), byPair(sizeEmb, headIdx), byPair(sizeEmb, tailIdx)];
  let typeDim = 0;
  if (spanTypes) {
    const shape = weightShape(weights, 'rel_type_embeddings.weight');
    if (shape.length !== 2) throw new Error(`checkpoint: rel_type_embeddings.weight must be 2-D, got [${shape.join(', ')}]`);
    typeDim = shape[1];
    const typeEmb = g.op('Gather', [g.floatTensor('rel_type_embeddings.weight', shape, getWeight(weights, 'rel_type_embeddings.weight', shape)), spanTypes], { axis: 0 });
    parts.push(byPair(typeEmb, headIdx), byPair(typeEmb, tailIdx));
  }
  const repr = g.op('Concat', parts, { axis: 2 });
  const logits = linear(g, weights, repr, 'rel_classifier', 3 * H + 2 * size.dim + 2 * typeDim);
  const [nOut] = weightShape(weights, 'rel_classifier.weight');
  g.output(logits, { name: 'relation_logits', type: 'float32', dims: ['batch', 'pairs', nOut] });
  g.output(g.op('Sigmoid', [logits]), { name: 'relation_probs', type: 'float32', dims: ['batch', 'pairs', nOut] });
  return g.toBytes('SpERT relation head exported by @spert/onnx');
}
