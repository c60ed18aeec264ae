// How SpERT's three exported graphs are fed and read, written once for every onnxruntime build
// (onnxruntime-node here, onnxruntime-web in @spert/web). It imports no onnxruntime package: the
// caller passes its own sessions and Tensor class, so a browser bundle does not pull the Node
// binding and the Node runtime does not pull the browser one.
import type { BatchScores, IntArrayND, PairScoringInput, ScoredBatch, SpanScoringInput, SpertSettings } from '@spert/core';
import { SpertError } from '@spert/core';

/** The part of an onnxruntime Tensor the scoring reads (onnxruntime-node's and -web's both fit). */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  /** Frees the tensor's memory (onnxruntime-web keeps it on the wasm heap). */
  dispose(): void;
}

/** The part of an onnxruntime InferenceSession the scoring uses. */
export interface OrtSessionLike<T extends OrtTensorLike> {
  readonly inputNames: readonly string[];
  /** Runs the graph on named inputs, resolving with its named outputs. */
  run(feeds: Record<string, T>): Promise<Record<string, T>>;
}

/** The three sessions of an exported model directory. */
export interface OrtSessions<T extends OrtTensorLike> {
  encoder: OrtSessionLike<T>;
  entityHead: OrtSessionLike<T>;
  relationHead: OrtSessionLike<T>;
}

/** An onnxruntime Tensor class (`ort.Tensor` of either build). */
export type OrtTensorClass<T extends OrtTensorLike> = new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => T;

/** What {@link scoreSpansWithOrt} needs besides the batch. */
export interface OrtScoringContext<T extends OrtTensorLike> {
  sessions: OrtSessions<T>;
  Tensor: OrtTensorClass<T>;
  settings: SpertSettings;
  /** Names the model in errors (a directory or a URL). */
  source: string;
}

/** The graphs take int64 indices; the pipeline hands int32. */
export function int64Tensor<T extends OrtTensorLike>(Tensor: OrtTensorClass<T>, values: ArrayLike<number>, dims: readonly number[]): T {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return new Tensor('int64', data, dims);
}

/** relation_head.onnx's inputs for a batch of pairs: the spans the pairs use and the pairs as indices into them. */
export interface RelationHeadInputs {
  /** [B, K, 2] subword ranges of the used spans (K = most used spans of a document, at least 1). */
  spanRanges: IntArrayND;
  /** [B, K] word widths of the used spans. */
  spanWidths: IntArrayND;
  /** [B, P, 2] head and tail as indices into each document's used spans. */
  pairs: IntArrayND;
  /** [B, K] predicted entity types of the used spans, when `spanTypes` [B, S] was given. */
  spanTypes?: IntArrayND;
}

/** Gathers the spans that `pairs` refer to (with their entity types, when given), so the relation head pools only those (tensor-free). */
export function relationHeadInputs(spanRanges: IntArrayND, spanWidths: IntArrayND, pairs: IntArrayND, spanTypes?: IntArrayND): RelationHeadInputs {
  const [B, S] = spanWidths.shape;
  const P = pairs.shape[1];
  const used = Array.from({ length: B }, (_, b) => {
    const set = new Set<number>();
    for (let p = 0; p < P * 2; p++) set.add(pairs.data[b * P * 2 + p]);
    return [...set].sort((x, y) => x - y);
  });
  const K = Math.max(1, ...used.map((u) => u.length));
  const ranges = new Int32Array(B * K * 2);
  const widths = new Int32Array(B * K);
  const types = spanTypes ? new Int32Array(B * K) : undefined;
  const local = new Int32Array(B * P * 2);
  used.forEach((u, b) => {
    const pos = new Map(u.map((s, j) => [s, j]));
    u.forEach((s, j) => {
      ranges[(b * K + j) * 2] = spanRanges.data[(b * S + s) * 2];
      ranges[(b * K + j) * 2 + 1] = spanRanges.data[(b * S + s) * 2 + 1];
      widths[b * K + j] = spanWidths.data[b * S + s];
      if (types && spanTypes) types[b * K + j] = spanTypes.data[b * S + s];
    });
    for (let p = 0; p < P * 2; p++) local[b * P * 2 + p] = pos.get(pairs.data[b * P * 2 + p]) as number;
  });
  return {
    spanRanges: { data: ranges, shape: [B, K, 2] },
    spanWidths: { data: widths, shape: [B, K] },
    pairs: { data: local, shape: [B, P, 2] },
    ...(types ? { spanTypes: { data: types, shape: [B, K] } } : {}),
  };
}

function floats(t: OrtTensorLike | undefined, name: string, source: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new SpertError('INVALID_CHECKPOINT', `${source}: the graph gave no float32 output "${name}"`);
  return t.data;
}

/**
 * The runtime contract's scoreSpans over onnxruntime sessions: encoder.onnx and entity_head.onnx
 * now, relation_head.onnx on request over the same encoder states.
 */
export async function scoreSpansWithOrt<T extends OrtTensorLike>(ctx: OrtScoringContext<T>, input: SpanScoringInput): Promise<ScoredBatch> {
  const { sessions, Tensor, settings, source } = ctx;
  const i64 = (a: IntArrayND) => int64Tensor(Tensor, a.data, a.shape);
  // Graphs of the relation_context ablations take the pipeline's context ranges; the reference's computes its own.
  const takesContexts = sessions.relationHead.inputNames.includes('pair_contexts');
  if (takesContexts !== (settings.relationContext !== 'localized')) {
    throw new SpertError('INVALID_CHECKPOINT',
      `${source}: relation_head.onnx ${takesContexts ? 'takes' : 'has no'} pair_contexts input but config.json's spert.relation_context is "${settings.relationContext}"; ` +
        'the graphs and config.json come from different exports: export the model again (spert-export)',
    );
  }
  // Graphs of models that read entity types take the predicted type of each span.
  const takesTypes = sessions.relationHead.inputNames.includes('span_types');
  if (takesTypes !== (settings.relationEntityTypes === 'embedding')) {
    throw new Error(
      `${source}: relation_head.onnx ${takesTypes ? 'takes' : 'has no'} span_types input but config.json's spert.relation_entity_types is "${settings.relationEntityTypes}"; ` +
        'the graphs and config.json come from different exports: export the model again (spert-export)',
    );
  }
  const [B, T] = input.inputIds.shape;
  const feeds: Record<string, T> = { input_ids: i64(input.inputIds), attention_mask: i64(input.attentionMask) };
  // SpERT inputs are single-segment; graphs exported without token_type_ids do not take it.
  if (sessions.encoder.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64Tensor(Tensor, new Int32Array(B * T), [B, T]);
  const hidden = (await sessions.encoder.run(feeds)).last_hidden_state;
  if (!hidden) throw new SpertError('INVALID_CHECKPOINT', `${source}: encoder.onnx gave no "last_hidden_state" output`);
  const S = input.spanRanges.shape[1];
  const ent = await sessions.entityHead.run({ hidden_states: hidden, span_ranges: i64(input.spanRanges), span_widths: i64(input.spanWidths) });
  const C = settings.types.entities.length + 1;
  if (ent.entity_probs?.dims[2] !== C) {
    throw new SpertError('INVALID_CHECKPOINT', `${source}: entity head has ${ent.entity_probs?.dims[2]} classes but the types list ${C - 1} entity types (+ none)`);
  }
  const R = settings.types.relations.length;
  return {
    entities: { logits: floats(ent.entity_logits, 'entity_logits', source), probs: floats(ent.entity_probs, 'entity_probs', source), shape: [B, S, C] },
    async scorePairs({ pairs, contexts, spanTypes }: PairScoringInput): Promise<BatchScores> {
      if (takesTypes && !spanTypes) throw new Error(`${source}: relation_head.onnx reads entity types but the pipeline passed none (spanTypes)`);
      const rel = relationHeadInputs(input.spanRanges, input.spanWidths, pairs, takesTypes ? spanTypes : undefined);
      const relFeeds: Record<string, T> = { hidden_states: hidden, span_ranges: i64(rel.spanRanges), span_widths: i64(rel.spanWidths), pairs: i64(rel.pairs) };
      if (takesContexts) relFeeds.pair_contexts = i64(contexts);
      if (rel.spanTypes) relFeeds.span_types = i64(rel.spanTypes);
      const out = await sessions.relationHead.run(relFeeds);
      if (out.relation_probs?.dims[2] !== R) {
        throw new SpertError('INVALID_CHECKPOINT', `${source}: relation head has ${out.relation_probs?.dims[2]} outputs but the types list ${R} relation types`);
      }
      return { logits: floats(out.relation_logits, 'relation_logits', source), probs: floats(out.relation_probs, 'relation_probs', source), shape: [B, pairs.shape[1], R] };
    },
    dispose() {
      hidden.dispose();
    },
  };
}
