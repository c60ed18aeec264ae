import type { PredictedDocument } from '@spert/core';
import type { PreparedDocument } from './prepare-documents';
import type { DocumentOut } from './types';

/**
 * Turns a model prediction into the response shape: covered text, character offsets for text
 * input; checks the predictor kept its contract so a broken runtime answers 500, not garbage.
 */
export function toResponseDocument(input: PreparedDocument, pred: PredictedDocument, docIndex: number): DocumentOut {
  const n = input.tokens.length;
  const where = `predictor output for documents[${docIndex}]`;
  const entities = pred.entities.map((e, k) => {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start < e.end && e.end <= n)) {
      throw new Error(`${where}: entities[${k}] span [${e.start}, ${e.end}) is outside the ${n} words`);
    }
    if (input.offsets && input.text !== undefined) {
      const charStart = (input.offsets[e.start] as [number, number])[0];
      const charEnd = (input.offsets[e.end - 1] as [number, number])[1];
      return { type: e.type, start: e.start, end: e.end, score: e.score, text: input.text.slice(charStart, charEnd), charStart, charEnd };
    }
    return { type: e.type, start: e.start, end: e.end, score: e.score, text: input.tokens.slice(e.start, e.end).join(' ') };
  });
  const relations = pred.relations.map((r, k) => {
    if (!(Number.isInteger(r.head) && Number.isInteger(r.tail) && r.head >= 0 && r.tail >= 0 && r.head < entities.length && r.tail < entities.length)) {
      throw new Error(`${where}: relations[${k}] (head ${r.head}, tail ${r.tail}) does not index its ${entities.length} entities`);
    }
    return { type: r.type, head: r.head, tail: r.tail, score: r.score };
  });
  const out: DocumentOut = { tokens: input.tokens, entities, relations };
  if (input.offsets) out.offsets = input.offsets;
  return out;
}
