import type { DocumentScores, EncodedDocument, PredictCallOptions, PredictedDocument, Prediction, PredictionInput, SpertRuntime } from '@spert/core';
import { splitWords, type WordSpan } from '@spert/tokenizer';
import { buildPrediction } from './decode/build-prediction';
import { relationDecoding, type RelationDecoding } from './decode/relation-decoding';
import { scoreDocuments } from './score-documents';
import type { PipelineTokenizer } from './tokenizer-contract';
import { mergeWindowPredictions, planWindows, type WindowOptions } from './windows';

/** What to do with a document longer than the encoder: windows (default), an error, or dropping trailing words. */
export type TooLongPolicy = 'window' | 'error' | 'truncate';

/** The pipeline's settings: the same in every runtime, the CLI and the service. */
export interface PipelineOptions extends WindowOptions {
  /** Documents (or windows) per runtime call (default {@link PIPELINE_DEFAULTS}.batchSize). */
  batchSize?: number;
  /** Documents longer than the encoder (default 'window'). */
  onTooLong?: TooLongPolicy;
}

/** Defaults of {@link PipelineOptions}, in one place for the library, the CLIs and the service. */
export const PIPELINE_DEFAULTS = { batchSize: 8, onTooLong: 'window' } as const satisfies PipelineOptions;

/** Options of {@link predictDocuments}. */
export interface PredictDocumentsOptions extends PipelineOptions, PredictCallOptions {
  runtime: SpertRuntime;
  tokenizer: PipelineTokenizer;
  inputs: readonly PredictionInput[];
}

interface Prepared {
  tokens: string[];
  words?: WordSpan[];
}

interface Unit {
  doc: number;
  /** First word of the unit in its document. */
  start: number;
  tokens: string[];
  encoding: EncodedDocument;
}

/** The policies for documents longer than the encoder, for CLIs' choices. */
export const TOO_LONG_POLICIES: readonly TooLongPolicy[] = ['window', 'error', 'truncate'];
const TOO_LONG = TOO_LONG_POLICIES;

function where(o: PredictCallOptions, i: number): string {
  return `${o.source ? `${o.source}: ` : ''}document ${(o.offset ?? 0) + i}`;
}

function prepare(input: PredictionInput, i: number, o: PredictCallOptions): Prepared {
  if (input === null || typeof input !== 'object') throw new TypeError(`${where(o, i)}: expected {kind: 'text', text} or {kind: 'tokens', tokens}, got ${JSON.stringify(input)}`);
  if (input.kind === 'text') {
    if (typeof input.text !== 'string') throw new TypeError(`${where(o, i)}: text must be a string, got ${typeof input.text}`);
    const words = splitWords(input.text);
    return { tokens: words.map((w) => w.text), words };
  }
  if (input.kind === 'tokens') {
    if (!Array.isArray(input.tokens)) throw new TypeError(`${where(o, i)}: tokens must be an array of words`);
    input.tokens.forEach((t, j) => {
      if (typeof t !== 'string') throw new TypeError(`${where(o, i)}, word ${j}: expected a string, got ${typeof t}`);
    });
    return { tokens: input.tokens.slice() };
  }
  throw new TypeError(`${where(o, i)}: unknown input kind ${JSON.stringify((input as { kind?: unknown }).kind)}`);
}

/** Splits documents into encoder-sized units (whole documents, windows, or truncated documents); errors come before any model call. */
function planUnits(docs: readonly Prepared[], tokenizer: PipelineTokenizer, o: PredictDocumentsOptions): { units: Unit[]; windows: number[] } {
  const policy = o.onTooLong ?? PIPELINE_DEFAULTS.onTooLong;
  if (!TOO_LONG.includes(policy)) throw new RangeError(`onTooLong must be one of ${TOO_LONG.join(', ')}, got ${JSON.stringify(policy)}`);
  const maxSubwords = tokenizer.maxLength - tokenizer.numSpecialTokens;
  const units: Unit[] = [];
  const windows = docs.map(() => 0);
  docs.forEach((d, i) => {
    if (d.tokens.length === 0) return;
    const documentIndex = (o.offset ?? 0) + i;
    const lens = d.tokens.map((w) => tokenizer.encodeWord(w).length);
    const total = lens.reduce((a, b) => a + b, 0);
    if (total <= maxSubwords || policy !== 'window') {
      const onTooLong = policy === 'truncate' ? 'truncate' : 'error';
      units.push({ doc: i, start: 0, tokens: d.tokens, encoding: tokenizer.encodeWords(d.tokens, { documentIndex, source: o.source, onTooLong }) });
      windows[i] = 1;
      return;
    }
    for (const [s, e] of planWindows({ wordLengths: lens, maxSubwords, window: o.window, stride: o.stride, unit: o.unit, where: where(o, i) })) {
      const tokens = d.tokens.slice(s, e);
      units.push({ doc: i, start: s, tokens, encoding: tokenizer.encodeWords(tokens, { documentIndex, source: o.source }) });
      windows[i]++;
    }
  });
  return { units, windows };
}

/** Scores encoded documents in length-sorted batches (little padding), results in input order. */
async function scoreInBatches(runtime: SpertRuntime, encodings: readonly EncodedDocument[], batchSize: number, onBatch?: (indices: number[], scores: DocumentScores[]) => void): Promise<DocumentScores[]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const order = encodings.map((_, i) => i).sort((a, b) => encodings[a].inputIds.length - encodings[b].inputIds.length || a - b);
  const out: DocumentScores[] = new Array(encodings.length);
  for (let i = 0; i < order.length; i += batchSize) {
    const idx = order.slice(i, i + batchSize);
    const scores = await scoreDocuments({ runtime, encodings: idx.map((j) => encodings[j]) });
    idx.forEach((j, k) => (out[j] = scores[k]));
    onBatch?.(idx, scores);
  }
  return out;
}

/**
 * Decodes one document's scores into entities and relations (the reference's rules, plus the
 * model's per-type thresholds and type constraints when it stores them; `decoding` replaces them,
 * e.g. to try thresholds on a development set).
 */
export function decodeScores(runtime: SpertRuntime, tokens: readonly string[], scores: DocumentScores, decoding: RelationDecoding = relationDecoding(runtime.settings)): PredictedDocument {
  return buildPrediction({
    tokens: tokens.slice(),
    spans: scores.spans,
    entityProbs: scores.entityProbs,
    keptSpans: scores.keptSpans,
    pairs: scores.pairs,
    relationProbs: scores.relationProbs,
    types: runtime.settings.types,
    threshold: decoding.threshold,
    thresholds: decoding.thresholds,
    constraints: decoding.constraints,
  });
}

/**
 * The one inference pipeline: raw text or words -> the one word splitter -> subwords ->
 * candidates -> runtime scores spans -> entity filter -> pairs -> runtime scores pairs ->
 * relation decoding -> predictions with word and character offsets. Documents longer than the
 * encoder are predicted in overlapping windows and merged ({@link mergeWindowPredictions}).
 */
export async function predictDocuments(o: PredictDocumentsOptions): Promise<Prediction[]> {
  const docs = o.inputs.map((input, i) => prepare(input, i, o));
  const { units, windows } = planUnits(docs, o.tokenizer, o);
  const perDoc: Array<Array<{ start: number; prediction: PredictedDocument }>> = docs.map(() => []);
  const left = windows.slice();
  let done = docs.filter((d) => d.tokens.length === 0).length;
  await scoreInBatches(o.runtime, units.map((u) => u.encoding), o.batchSize ?? PIPELINE_DEFAULTS.batchSize, (indices, scores) => {
    indices.forEach((j, k) => {
      const u = units[j];
      perDoc[u.doc].push({ start: u.start, prediction: decodeScores(o.runtime, u.tokens, scores[k]) });
      if (--left[u.doc] === 0) done++;
    });
    o.onProgress?.(done, docs.length);
  });
  return docs.map((d, i) => {
    const parts = perDoc[i].sort((a, b) => a.start - b.start);
    let pred: PredictedDocument;
    if (parts.length === 0) pred = { tokens: d.tokens, entities: [], relations: [] };
    else if (parts.length === 1 && windows[i] === 1) pred = { ...parts[0].prediction, tokens: d.tokens };
    else pred = mergeWindowPredictions(d.tokens, parts);
    const out: Prediction = pred;
    if (windows[i] > 1) out.windows = windows[i];
    if (d.words) {
      const words = d.words;
      out.charOffsets = words.map((w) => [w.start, w.end]);
      out.entities = pred.entities.map((e) => ({ ...e, charStart: words[e.start].start, charEnd: words[e.end - 1].end }));
    }
    return out;
  });
}

/** Options of {@link scoreWords}. */
export interface ScoreWordsOptions extends PredictCallOptions {
  runtime: SpertRuntime;
  tokenizer: PipelineTokenizer;
  /** Documents as words; each must fit the encoder. */
  documents: ReadonlyArray<readonly string[]>;
  batchSize?: number;
  /** 'error' (default) or 'truncate'. */
  onTooLong?: 'error' | 'truncate';
}

/** Raw scores (candidate spans, logits, probabilities, kept spans, pairs) per document: what parity tests compare across runtimes. */
export async function scoreWords(o: ScoreWordsOptions): Promise<DocumentScores[]> {
  const encodings = o.documents.map((tokens, i) =>
    o.tokenizer.encodeWords(tokens, { documentIndex: (o.offset ?? 0) + i, source: o.source, onTooLong: o.onTooLong }),
  );
  return scoreInBatches(o.runtime, encodings, o.batchSize ?? PIPELINE_DEFAULTS.batchSize);
}
