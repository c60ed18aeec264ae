import type { PredictionInput } from './prediction-input';
import type { Prediction } from './predictor';

/** An entity of a {@link PredictionRecord}: word span, covered text, character span for text input, score. */
export interface RecordEntity {
  type: string;
  /** First word (inclusive). */
  start: number;
  /** Last word + 1 (exclusive). */
  end: number;
  /** The covered text: a slice of the input text, or the words joined by spaces for word input. */
  text: string;
  /** Character offset (UTF-16 code units) of the first character; text input only. */
  charStart?: number;
  /** Exclusive character offset of the last character; text input only. */
  charEnd?: number;
  score: number;
  /** `true` for an entity the input gave (`entitiesMode`), absent for a predicted one. */
  given?: boolean;
}

/** A relation of a {@link PredictionRecord}: `head` and `tail` index the record's `entities`. */
export interface RecordRelation {
  type: string;
  head: number;
  tail: number;
  score: number;
}

/**
 * The one output record of a predicted document, written by spert-serve (`POST /predict`), batch
 * prediction (one JSONL line), `spert-eval predict` and the browser build; described by
 * {@link PREDICTION_RECORD_SCHEMA}.
 */
export interface PredictionRecord {
  /** The input's id (batch prediction only). */
  id?: string | number;
  tokens: string[];
  /** Character `[start, end)` of every word in the input text (UTF-16 code units); text input only. */
  offsets?: Array<[number, number]>;
  entities: RecordEntity[];
  relations: RecordRelation[];
  /** Overlapping windows the document was predicted in; only when it was longer than the encoder (more than 1). */
  windows?: number;
}

/** Options of {@link toPredictionRecord}. */
export interface PredictionRecordOptions {
  /** The input the prediction answers: text input gets character offsets and text slices. */
  input: PredictionInput;
  /** An id to carry (batch prediction's input ids); left out when undefined. */
  id?: string | number;
  /** Names the document in errors, e.g. `documents[3]` (default: the id, else "the document"). */
  where?: string;
}

const given = (e: { given?: boolean }): { given?: true } => (e.given ? { given: true } : {});

const isIndex = (v: number, n: number): boolean => Number.isInteger(v) && v >= 0 && v < n;

/**
 * Turns a prediction into its output record. Checks the predictor kept its contract (one word
 * per given word, one character range per word of a text, entity spans inside the words,
 * relations indexing the entities), so a broken runtime fails loudly instead of writing garbage.
 */
export function toPredictionRecord(prediction: Prediction, options: PredictionRecordOptions): PredictionRecord {
  const { input, id } = options;
  const where = `predictor output for ${options.where ?? (id === undefined ? 'the document' : `id ${JSON.stringify(id)}`)}`;
  const { tokens } = prediction;
  const n = tokens.length;
  const offsets = input.kind === 'text' ? prediction.charOffsets : undefined;
  if (input.kind === 'text' && (!offsets || offsets.length !== n)) throw new Error(`${where}: text input needs one character offset per word (${n} words, ${offsets?.length ?? 0} offsets)`);
  if (input.kind === 'tokens' && n !== input.tokens.length) throw new Error(`${where}: ${n} words for ${input.tokens.length} given`);
  const entities = prediction.entities.map((e, k): RecordEntity => {
    if (!(isIndex(e.start, n) && Number.isInteger(e.end) && e.start < e.end && e.end <= n)) {
      throw new Error(`${where}: entities[${k}] span [${e.start}, ${e.end}) is outside the ${n} words`);
    }
    if (input.kind === 'text' && offsets) {
      const charStart = (offsets[e.start] as [number, number])[0];
      const charEnd = (offsets[e.end - 1] as [number, number])[1];
      return { type: e.type, start: e.start, end: e.end, text: input.text.slice(charStart, charEnd), charStart, charEnd, score: e.score, ...given(e) };
    }
    return { type: e.type, start: e.start, end: e.end, text: tokens.slice(e.start, e.end).join(' '), score: e.score, ...given(e) };
  });
  const relations = prediction.relations.map((r, k): RecordRelation => {
    if (!(isIndex(r.head, entities.length) && isIndex(r.tail, entities.length))) {
      throw new Error(`${where}: relations[${k}] (head ${r.head}, tail ${r.tail}) does not index its ${entities.length} entities`);
    }
    return { type: r.type, head: r.head, tail: r.tail, score: r.score };
  });
  // Key order is the record's byte layout (the schema's property order): fixed, so every
  // producer writes identical JSON for the same prediction.
  const windows = prediction.windows !== undefined && prediction.windows > 1 ? prediction.windows : undefined;
  return {
    ...(id === undefined ? {} : { id }),
    tokens,
    ...(offsets ? { offsets } : {}),
    entities,
    relations,
    ...(windows === undefined ? {} : { windows }),
  };
}
