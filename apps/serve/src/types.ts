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
  /** Micro-batches predicted at once: the predictor's worker threads (1: one in-process runtime). */
  concurrency: number;
}

/** Default limits: generous for sentences, small enough to keep one request from hogging the model. */
export const DEFAULT_LIMITS: ServeLimits = { bodyBytes: 1 << 20, documents: 64, words: 256, chars: 10_000 };

/** Default batching: a few milliseconds trade little latency for much throughput under load. */
export const DEFAULT_BATCH: BatchOptions = { maxBatch: 32, maxWaitMs: 5, concurrency: 1 };

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

/** Log levels of `--log-level` (pino's): `info` logs start-up, errors and a periodic summary; `debug` adds one line per request. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Log levels in the order `--log-level` lists them. */
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Endpoints that answer without the API key when one is set (probes and scrapers often cannot send one). */
export interface PublicEndpoints {
  /** `/health`, `/health/live`, `/health/ready`. */
  health: boolean;
  /** `/metrics`. */
  metrics: boolean;
}

/** Production settings: backpressure, timeouts, authentication, CORS and logging. */
export interface OperationsOptions {
  /** Most documents waiting for a model call; a request that would go past it answers 429 with Retry-After. */
  maxQueue: number;
  /** A request not answered within this many ms answers 503 with Retry-After (0: no timeout). */
  requestTimeoutMs: number;
  /** Seconds a client is told to wait (Retry-After) after a 429 or a timeout. */
  retryAfterSeconds: number;
  /** Bearer token every request must carry (`Authorization: Bearer <key>`); unset: no authentication. */
  apiKey?: string;
  /** What stays open when an API key is set. */
  publicEndpoints: PublicEndpoints;
  /** Origins allowed by CORS (`['*']` for any); unset or empty: no CORS headers at all. */
  corsOrigins?: string[];
  /** Interval of the summary log line (ms; 0: none). */
  summaryIntervalMs: number;
}

/** Default operations: a queue of a few seconds of work at typical batch sizes, 30 s timeout, a summary a minute. */
export const DEFAULT_OPERATIONS: OperationsOptions = {
  maxQueue: 1024,
  requestTimeoutMs: 30_000,
  retryAfterSeconds: 1,
  publicEndpoints: { health: true, metrics: true },
  summaryIntervalMs: 60_000,
};
