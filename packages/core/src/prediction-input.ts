import { SpertError } from './errors';
/** One item of a prediction request: words given by the caller, or raw text to split into words. */
export type PredictionInput = { kind: 'tokens'; tokens: string[] } | { kind: 'text'; text: string };

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

/**
 * Validates one document of a prediction request, the same for the CLI, the service and batch
 * prediction: `"raw text"`, `{"text": "..."}`, `{"tokens": [...]}` (other keys ignored, as the
 * reference's predict input) or a plain array of words. Empty text or an empty word list is a
 * valid document that predicts nothing. Errors are one short line naming the field (`where`).
 */
export function parsePredictionDocument(item: unknown, where: string): PredictionInput {
  if (typeof item === 'string') return { kind: 'text', text: item };
  if (Array.isArray(item)) return { kind: 'tokens', tokens: checkWords(item, where) };
  if (typeof item === 'object' && item !== null) {
    const o = item as Record<string, unknown>;
    if ('text' in o && 'tokens' in o) throw new SpertError('INVALID_INPUT', `${where}: give either "text" or "tokens", not both`);
    if ('text' in o) {
      if (typeof o.text !== 'string') throw new SpertError('INVALID_INPUT', `${where}.text: expected a string, got ${describe(o.text)}`);
      return { kind: 'text', text: o.text };
    }
    if ('tokens' in o) {
      if (!Array.isArray(o.tokens)) throw new SpertError('INVALID_INPUT', `${where}.tokens: expected an array of words, got ${describe(o.tokens)}`);
      return { kind: 'tokens', tokens: checkWords(o.tokens, `${where}.tokens`) };
    }
  }
  throw new SpertError('INVALID_INPUT', `${where}: expected "text", {"text": "..."}, {"tokens": [...]} or [words...], got ${describe(item)}`);
}

/**
 * Parses a prediction input file (the reference's predict input, SPERT_REFERENCE 4.2): a JSON
 * array of documents in any form {@link parsePredictionDocument} accepts.
 */
export function parsePredictionInput(json: unknown, options: { source?: string } = {}): PredictionInput[] {
  const source = options.source ?? 'input';
  if (!Array.isArray(json)) {
    throw new SpertError('INVALID_INPUT', `${source}: prediction input must be a JSON array of documents ("text", {"text": ...}, {"tokens": [...]} or [words...]), got ${describe(json)}`);
  }
  return json.map((item: unknown, i) => parsePredictionDocument(item, `${source}: [${i}]`));
}
