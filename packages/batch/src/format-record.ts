import type { Prediction, PredictionInput } from '@spert/core';

/** An entity of an output record: word span, covered text, character span for text input. */
export interface RecordEntity {
  type: string;
  start: number;
  end: number;
  text: string;
  charStart?: number;
  charEnd?: number;
  score: number;
}

/** One line of the output JSONL: the input's id, its words and what was found in them. */
export interface OutputRecord {
  id: string | number;
  tokens: string[];
  /** Character `[start, end)` of every word (text input only). */
  offsets?: Array<[number, number]>;
  entities: RecordEntity[];
  /** `head`/`tail` index `entities`. */
  relations: Array<{ type: string; head: number; tail: number; score: number }>;
}

/**
 * Turns a prediction into its output record (covered text and character offsets for text input);
 * checks the predictor kept its contract so a broken runtime fails the job instead of writing garbage.
 */
export function toOutputRecord(id: string | number, input: PredictionInput, pred: Prediction): OutputRecord {
  const n = pred.tokens.length;
  const offsets = input.kind === 'text' ? pred.charOffsets : undefined;
  if (input.kind === 'text' && (!offsets || offsets.length !== n)) throw new Error(`predictor output for id ${id}: text input needs one character offset per word`);
  const entities = pred.entities.map((e, k): RecordEntity => {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start < e.end && e.end <= n)) {
      throw new Error(`predictor output for id ${id}: entities[${k}] span [${e.start}, ${e.end}) is outside the ${n} words`);
    }
    if (input.kind === 'text' && offsets) {
      const charStart = (offsets[e.start] as [number, number])[0];
      const charEnd = (offsets[e.end - 1] as [number, number])[1];
      return { type: e.type, start: e.start, end: e.end, text: input.text.slice(charStart, charEnd), charStart, charEnd, score: e.score };
    }
    return { type: e.type, start: e.start, end: e.end, text: pred.tokens.slice(e.start, e.end).join(' '), score: e.score };
  });
  const relations = pred.relations.map((r) => ({ type: r.type, head: r.head, tail: r.tail, score: r.score }));
  // Key order is the line's byte layout: fixed, so every executor writes identical bytes.
  return offsets ? { id, tokens: pred.tokens, offsets, entities, relations } : { id, tokens: pred.tokens, entities, relations };
}
