import type { DocumentScores, EncodedDocument, EntitiesMode, PredictCallOptions, PredictedDocument, Prediction, PredictionInput, SpertRuntime, TypesSchema } from '@spert/core';
import { splitWords, type WordSpan } from '@spert/tokenizer';
import { buildPrediction } from './decode/build-prediction';
import { scoreDocuments, type DocumentRequest, type GivenSpan } from './score-documents';
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
  /** How given entities are used when a document does not say (default 'given'). */
  entitiesMode?: EntitiesMode;
  /** `false`: entities only, the relation head is never run, unless a document says otherwise (default true). */
  relations?: boolean;
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
  /** Given entities in word coordinates, in the caller's order. */
  given?: GivenSpan[];
  entitiesMode: EntitiesMode;
  relations: boolean;
}

interface Unit {
  doc: number;
  /** First word of the unit in its document. */
  start: number;
  tokens: string[];
  encoding: EncodedDocument;
  request?: DocumentRequest;
}

/** The policies for documents longer than the encoder, for CLIs' choices. */
export const TOO_LONG_POLICIES: readonly TooLongPolicy[] = ['window', 'error', 'truncate'];
const TOO_LONG = TOO_LONG_POLICIES;

function where(o: PredictCallOptions, i: number): string {
  return `${o.source ? `${o.source}: ` : ''}document ${(o.offset ?? 0) + i}`;
}

function prepareWords(input: PredictionInput, i: number, o: PredictCallOptions): Pick<Prepared, 'tokens' | 'words'> {
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

/** Resolves given entities to word spans and type indices; character offsets must fall on word boundaries. */
function resolveGiven(input: PredictionInput, doc: Pick<Prepared, 'tokens' | 'words'>, types: TypesSchema, at: string): GivenSpan[] {
  const index = new Map(types.entities.map((t) => [t.key, t.index]));
  const seen = new Map<string, number>();
  return (input.entities ?? []).map((e, k) => {
    const here = `${at}, entities[${k}]`;
    const type = index.get(e.type);
    if (type === undefined) throw new RangeError(`${here}: unknown entity type ${JSON.stringify(e.type)}; the model knows ${types.entities.map((t) => JSON.stringify(t.key)).join(', ')}`);
    let start: number;
    let end: number;
    if ('charStart' in e) {
      if (!doc.words) throw new RangeError(`${here}: character offsets need a document given as text; give "start"/"end" word indices for words`);
      const words = doc.words;
      start = words.findIndex((w) => w.start === e.charStart);
      end = words.findIndex((w) => w.end === e.charEnd) + 1;
      if (start < 0 || end <= 0 || end <= start) {
        throw new RangeError(`${here}: characters [${e.charStart}, ${e.charEnd}) do not start and end on word boundaries (the words: ${words.map((w) => `${JSON.stringify(w.text)}@${w.start}`).join(' ')})`);
      }
    } else {
      if (doc.words) throw new RangeError(`${here}: a document given as text needs "charStart"/"charEnd" for its entities`);
      ({ start, end } = e);
      if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start && end <= doc.tokens.length)) {
        throw new RangeError(`${here}: words [${start}, ${end}) are not inside the document's ${doc.tokens.length} words`);
      }
    }
    if (end - start >= 100) throw new RangeError(`${here}: ${end - start} words wide; the model's width embedding covers spans up to 99 words`);
    const key = `${start}:${end}`;
    if (seen.has(key)) throw new RangeError(`${here}: the same words as entities[${seen.get(key)}]; a span can carry one given type`);
    seen.set(key, k);
    return { start, end, type };
  });
}

function prepare(input: PredictionInput, i: number, o: PredictDocumentsOptions): Prepared {
  const doc = prepareWords(input, i, o);
  const entitiesMode = input.entitiesMode ?? o.entitiesMode ?? 'given';
  if (entitiesMode !== 'given' && entitiesMode !== 'merged') throw new RangeError(`${where(o, i)}: entitiesMode must be "given" or "merged", got ${JSON.stringify(entitiesMode)}`);
  const prepared: Prepared = { ...doc, entitiesMode, relations: input.relations ?? o.relations ?? true };
  if (input.entities !== undefined) prepared.given = resolveGiven(input, doc, o.runtime.settings.types, where(o, i));
  return prepared;
}

/** The request of a unit covering words [start, start + length) of its document (given entities inside it, shifted). */
function unitRequest(d: Prepared, start: number, length: number): DocumentRequest | undefined {
  if (!d.given && d.relations) return undefined;
  const request: DocumentRequest = { entitiesMode: d.entitiesMode, relations: d.relations };
  if (d.given) request.given = d.given.filter((g) => g.start >= start && g.end <= start + length).map((g) => ({ ...g, start: g.start - start, end: g.end - start }));
  return request;
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
      const encoding = tokenizer.encodeWords(d.tokens, { documentIndex, source: o.source, onTooLong });
      units.push({ doc: i, start: 0, tokens: d.tokens, encoding, request: unitRequest(d, 0, encoding.wordRanges.length) });
      windows[i] = 1;
      return;
    }
    for (const [s, e] of planWindows({ wordLengths: lens, maxSubwords, window: o.window, stride: o.stride, unit: o.unit, where: where(o, i) })) {
      const tokens = d.tokens.slice(s, e);
      units.push({ doc: i, start: s, tokens, encoding: tokenizer.encodeWords(tokens, { documentIndex, source: o.source }), request: unitRequest(d, s, e - s) });
      windows[i]++;
    }
  });
  return { units, windows };
}

/** Scores encoded documents in length-sorted batches (little padding), results in input order. */
async function scoreInBatches(
  runtime: SpertRuntime,
  encodings: readonly EncodedDocument[],
  batchSize: number,
  onBatch?: (indices: number[], scores: DocumentScores[]) => void,
  requests?: ReadonlyArray<DocumentRequest | undefined>,
): Promise<DocumentScores[]> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const order = encodings.map((_, i) => i).sort((a, b) => encodings[a].inputIds.length - encodings[b].inputIds.length || a - b);
  const out: DocumentScores[] = new Array(encodings.length);
  for (let i = 0; i < order.length; i += batchSize) {
    const idx = order.slice(i, i + batchSize);
    const scores = await scoreDocuments({ runtime, encodings: idx.map((j) => encodings[j]), requests: requests && idx.map((j) => requests[j]) });
    idx.forEach((j, k) => (out[j] = scores[k]));
    onBatch?.(idx, scores);
  }
  return out;
}

/** Decodes one document's scores into entities and relations (the reference's rules). */
export function decodeScores(runtime: SpertRuntime, tokens: readonly string[], scores: DocumentScores): PredictedDocument {
  return buildPrediction({
    tokens: tokens.slice(),
    spans: scores.spans,
    entityProbs: scores.entityProbs,
    keptSpans: scores.keptSpans,
    pairs: scores.pairs,
    relationProbs: scores.relationProbs,
    types: runtime.settings.types,
    threshold: runtime.settings.relFilterThreshold,
    given: scores.given,
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
  }, units.map((u) => u.request));
  return docs.map((d, i) => {
    const parts = perDoc[i].sort((a, b) => a.start - b.start);
    let pred: PredictedDocument;
    if (parts.length === 0) pred = { tokens: d.tokens, entities: [], relations: [] };
    else if (parts.length === 1 && windows[i] === 1) pred = { ...parts[0].prediction, tokens: d.tokens };
    else pred = mergeWindowPredictions(d.tokens, parts);
    if (d.given && d.entitiesMode === 'given') pred = inGivenOrder(pred, d.given, o.runtime.settings.types);
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

/**
 * Puts a document's entities in the caller's order (all of them, even one no window held whole),
 * so relation `head`/`tail` index the caller's own list.
 */
function inGivenOrder(pred: PredictedDocument, given: readonly GivenSpan[], types: TypesSchema): PredictedDocument {
  const position = new Map(given.map((g, k) => [`${g.start}:${g.end}`, k]));
  const name = new Map(types.entities.map((t) => [t.index, t.key]));
  const relations = pred.relations.map((r) => {
    const h = pred.entities[r.head];
    const t = pred.entities[r.tail];
    return { ...r, head: position.get(`${h.start}:${h.end}`) as number, tail: position.get(`${t.start}:${t.end}`) as number };
  });
  relations.sort((a, b) => a.head - b.head || a.tail - b.tail);
  return { ...pred, entities: given.map((g) => ({ type: name.get(g.type) as string, start: g.start, end: g.end, score: 1, given: true })), relations };
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
