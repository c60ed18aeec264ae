// The Predictor contract lives in @spert/core: the service is one of its users.
export type { ModelMetadata, Predictor } from '@spert/core';

/** Request limits; exceeding one answers 413 (body) or 422 (the rest) with a JSON error. */
export interface ServeLimits {
  /** Largest request body in bytes. */
  bodyBytes: number;
  /** Most documents in one request. */
  documents: number;
  /** Most words in one document (after splitting text). */
  words: number;
  /** Most characters in one text (or in one document's tokens together). */
  chars: number;
}

/** Micro-batching settings: collect documents for up to `maxWaitMs` or `maxBatch` documents. */
export interface BatchOptions {
  maxBatch: number;
  maxWaitMs: number;
}

/** Default limits: generous for sentences, small enough to keep one request from hogging the model. */
export const DEFAULT_LIMITS: ServeLimits = { bodyBytes: 1 << 20, documents: 64, words: 256, chars: 10_000 };

/** Default batching: a few milliseconds trade little latency for much throughput under load. */
export const DEFAULT_BATCH: BatchOptions = { maxBatch: 32, maxWaitMs: 5 };

/** One document of a `POST /predict` request (validated by @spert/core's parsePredictionDocument, as the CLI's input). */
export type InputDocument = string | string[] | { text: string } | { tokens: string[] };

/** `POST /predict` request body. */
export interface PredictRequest {
  documents: InputDocument[];
}

/** A predicted entity in a response: word span, optional character span, and the covered text. */
export interface EntityOut {
  type: string;
  start: number;
  end: number;
  score: number;
  text: string;
  charStart?: number;
  charEnd?: number;
}

/** A predicted relation in a response: `head`/`tail` index the document's `entities`. */
export interface RelationOut {
  type: string;
  head: number;
  tail: number;
  score: number;
}

/** One document of a `POST /predict` response. */
export interface DocumentOut {
  tokens: string[];
  /** Character `[start, end)` of every word (text input only). */
  offsets?: Array<[number, number]>;
  entities: EntityOut[];
  relations: RelationOut[];
}

/** `POST /predict` response body. */
export interface PredictResponse {
  documents: DocumentOut[];
}
