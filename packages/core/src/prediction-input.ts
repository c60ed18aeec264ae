import { SpertError } from './errors';
/**
 * How a document's given entities are used: `given` predicts no entities and scores relations
 * among the given ones only; `merged` adds them to the predicted ones (a given span keeps its type).
 */
export type EntitiesMode = 'given' | 'merged';

/** The values of {@link EntitiesMode}, for CLI and schema choices. */
export const ENTITIES_MODES: readonly EntitiesMode[] = ['given', 'merged'];

/**
 * An entity the caller already has (a gazetteer, another NER system, a human): word indices
 * (`end` exclusive) for a document given as words, character offsets (UTF-16, `charEnd`
 * exclusive, on word boundaries) for raw text.
 */
export type GivenEntity = { type: string; start: number; end: number } | { type: string; charStart: number; charEnd: number };

/** Per-document settings of a prediction: given entities and what to compute. */
export interface PredictionDocumentOptions {
  /** Entities to keep verbatim; relations are scored among them (see {@link EntitiesMode}). */
  entities?: GivenEntity[];
  /** How `entities` are used (default `given`). */
  entitiesMode?: EntitiesMode;
  /** `false`: entities only; the relation head is not run for this document (default true). */
  relations?: boolean;
}

/** One item of a prediction request: words given by the caller, or raw text to split into words. */
export type PredictionInput = ({ kind: 'tokens'; tokens: string[] } | { kind: 'text'; text: string }) & PredictionDocumentOptions;

// A word the word splitter would drop (only spaces, controls, zero-width characters) cannot be a word of the model's input.
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}]/u;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).map((k) => JSON.stringify(k)).join(', ') || '(none)'}`;
  return `${typeof v} ${String(v)}`;
}

function checkWords(words: unknown[], where: string): string[] {
  words.forEach((w, i) => {
    if (typeof w !== 'string') throw new SpertError('INVALID_INPUT', `${where}[${i}]: expected a string, got ${describe(w)}`);
    if (!VISIBLE.test(w)) throw new SpertError('INVALID_INPUT', `${where}[${i}]: a word must contain a visible character, got ${JSON.stringify(w)}`);
  });
  return words as string[];
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Validates a document's given entities (`where` names the field in errors): word indices
 * `{type, start, end}` for a document of `words` words, or character offsets
 * `{type, charStart, charEnd}` for raw text (checked against word boundaries by the pipeline).
 */
export function parseGivenEntities(value: unknown, where: string, input: { words?: number; text?: boolean }): GivenEntity[] {
  if (!Array.isArray(value)) throw new SpertError('INVALID_INPUT', `${where}: expected an array of entities, got ${describe(value)}`);
  return value.map((item: unknown, i): GivenEntity => {
    const at = `${where}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new SpertError('INVALID_INPUT', `${at}: expected an object {"type", "start", "end"}, got ${describe(item)}`);
    const o = item as Record<string, unknown>;
    if (typeof o.type !== 'string' || o.type === '') throw new SpertError('INVALID_INPUT', `${at}.type: expected an entity type name, got ${describe(o.type)}`);
    const words = 'start' in o || 'end' in o;
    const chars = 'charStart' in o || 'charEnd' in o;
    if (words && chars) throw new SpertError('INVALID_INPUT', `${at}: give either "start"/"end" (word indices) or "charStart"/"charEnd" (characters), not both`);
    if (input.text && !chars) throw new SpertError('INVALID_INPUT', `${at}: the document is raw text, so its entities need "charStart" and "charEnd" (character offsets)`);
    if (!input.text && !words) throw new SpertError('INVALID_INPUT', `${at}: the document is given as words, so its entities need "start" and "end" (word indices, end exclusive)`);
    const [a, b] = chars ? (['charStart', 'charEnd'] as const) : (['start', 'end'] as const);
    const start = o[a];
    const end = o[b];
    if (!isIndex(start)) throw new SpertError('INVALID_INPUT', `${at}.${a}: expected an integer >= 0, got ${describe(start)}`);
    if (!isIndex(end) || end <= start) throw new SpertError('INVALID_INPUT', `${at}.${b}: expected an integer greater than ${a} (${start}), got ${describe(end)}`);
    if (input.words !== undefined && !chars && end > input.words) throw new SpertError('INVALID_INPUT', `${at}.end: ${end} is past the document's ${input.words} words`);
    return chars ? { type: o.type, charStart: start, charEnd: end } : { type: o.type, start, end };
  });
}

/** Options of {@link parsePredictionDocument} and {@link parsePredictionInput}: how the documents are predicted. */
export interface ParsePredictionOptions {
  /**
   * Read each document's `entities` as given entities, used this way. Default: `entities` is
   * ignored, as the reference's predict input ignores every key but the words, so a dataset
   * file's gold entities never leak into a prediction.
   */
  entitiesMode?: EntitiesMode;
  /** `false`: entities only; the relation head is never run (default true). */
  relations?: boolean;
}

/**
 * Validates one document of a prediction request, the same for the CLI, the service and batch
 * prediction: `"raw text"`, `{"text": "..."}`, `{"tokens": [...]}` (other keys ignored, as the
 * reference's predict input, unless `entitiesMode` reads `entities`) or a plain array of words.
 * Empty text or an empty word list is a valid document that predicts nothing. Errors are one
 * short line naming the field (`where`).
 */
export function parsePredictionDocument(item: unknown, where: string, options: ParsePredictionOptions = {}): PredictionInput {
  const doc = parseWords(item, where, options);
  if (options.relations === false) doc.relations = false;
  return doc;
}

function parseWords(item: unknown, where: string, options: ParsePredictionOptions): PredictionInput {
  if (typeof item === 'string') return { kind: 'text', text: item };
  if (Array.isArray(item)) return { kind: 'tokens', tokens: checkWords(item, where) };
  if (typeof item === 'object' && item !== null) {
    const o = item as Record<string, unknown>;
    if ('text' in o && 'tokens' in o) throw new SpertError('INVALID_INPUT', `${where}: give either "text" or "tokens", not both`);
    let doc: PredictionInput | undefined;
    if ('text' in o) {
      if (typeof o.text !== 'string') throw new SpertError('INVALID_INPUT', `${where}.text: expected a string, got ${describe(o.text)}`);
      doc = { kind: 'text', text: o.text };
    } else if ('tokens' in o) {
      if (!Array.isArray(o.tokens)) throw new SpertError('INVALID_INPUT', `${where}.tokens: expected an array of words, got ${describe(o.tokens)}`);
      doc = { kind: 'tokens', tokens: checkWords(o.tokens, `${where}.tokens`) };
    }
    if (doc) {
      if (options.entitiesMode !== undefined && o.entities !== undefined) {
        doc.entities = parseGivenEntities(o.entities, `${where}.entities`, doc.kind === 'text' ? { text: true } : { words: doc.tokens.length });
        doc.entitiesMode = options.entitiesMode;
      }
      return doc;
    }
  }
  throw new SpertError('INVALID_INPUT', `${where}: expected "text", {"text": "..."}, {"tokens": [...]} or [words...], got ${describe(item)}`);
}

/**
 * Parses a prediction input file (the reference's predict input, SPERT_REFERENCE 4.2): a JSON
 * array of documents in any form {@link parsePredictionDocument} accepts.
 */
export function parsePredictionInput(json: unknown, options: ParsePredictionOptions & { source?: string } = {}): PredictionInput[] {
  const source = options.source ?? 'input';
  if (!Array.isArray(json)) {
    throw new SpertError('INVALID_INPUT', `${source}: prediction input must be a JSON array of documents ("text", {"text": ...}, {"tokens": [...]} or [words...]), got ${describe(json)}`);
  }
  return json.map((item: unknown, i) => parsePredictionDocument(item, `${source}: [${i}]`, options));
}
