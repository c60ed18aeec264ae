import type { Prediction, PredictionInput } from '@spert/core';
import type { DocumentOut } from './types';

/**
 * Turns a prediction into the response shape: covered text and character offsets for text
 * input; checks the predictor kept its contract so a broken runtime answers 500, not garbage.
 */
export function toResponseDocument(input: PredictionInput, pred: Prediction, docIndex: number): DocumentOut {
  const n = pred.tokens.length;
  const where = `predictor output for documents[${docIndex}]`;
  const offsets = input.kind === 'text' ? pred.charOffsets : undefined;
  if (input.kind === 'text' && (!offsets || offsets.length !== n)) throw new Error(`${where}: text input needs one character offset per word`);
  if (input.kind === 'tokens' && n !== input.tokens.length) throw new Error(`${where}: ${n} words for ${input.tokens.length} given`);
  const entities = pred.entities.map((e, k) => {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start < e.end && e.end <= n)) {
      throw new Error(`${where}: entities[${k}] span [${e.start}, ${e.end}) is outside the ${n} words`);
    }
    if (input.kind === 'text' && offsets) {
      const charStart = offsets[e.start][0];
      const charEnd = offsets[e.end - 1][1];
      return { type: e.type, start: e.start, end: e.end, score: e.score, text: input.text.slice(charStart, charEnd), charStart, charEnd };
    }
    return { type: e.type, start: e.start, end: e.end, score: e.score, text: pred.tokens.slice(e.start, e.end).join(' ') };
  });
  const relations = pred.relations.map((r, k) => {
    if (!(Number.isInteger(r.head) && Number.isInteger(r.tail) && r.head >= 0 && r.tail >= 0 && r.head < entities.length && r.tail < entities.length)) {
      throw new Error(`${where}: relations[${k}] (head ${r.head}, tail ${r.tail}) does not index its ${entities.length} entities`);
    }
    return { type: r.type, head: r.head, tail: r.tail, score: r.score };
  });
  const out: DocumentOut = { tokens: pred.tokens, entities, relations };
  if (offsets) out.offsets = offsets;
  return out;
}
