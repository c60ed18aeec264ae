import type { EntitiesMode, GivenEntity } from '@spert/core';
// The Predictor contract lives in @spert/core: the service is one of its users.
import type { PredictionRecord } from '@spert/core';
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
export type InputDocument = string | string[] | { text: string; entities?: GivenEntity[] } | { tokens: string[]; entities?: GivenEntity[] };

/** `POST /predict` request body. */
export interface PredictRequest {
  documents: InputDocument[];
  /** Read each document's `entities` as given entities, used this way (default: ignored). */
  entitiesMode?: EntitiesMode;
  /** `false`: entities only, the relation head is not run. */
  relations?: boolean;
}

/** `POST /predict` response body. */
export interface PredictResponse {
  /** One prediction record per document, in request order. */
  documents: PredictionRecord[];
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

/**
 * How long a client may hold a connection, and how many it may hold: what keeps slow clients
 * (headers or body trickled a byte at a time) and idle sockets from exhausting the service.
 */
export interface ConnectionLimits {
  /** The request line and headers must arrive within this many ms, or node answers 408 and closes the socket (0: no limit). */
  headersTimeoutMs: number;
  /** The whole request, headers and body, must arrive within this many ms, or 408 and close (0: no limit). */
  receiveTimeoutMs: number;
  /** A socket with no request in progress and no traffic for this many ms is closed (0: never); a client waiting for its answer is bounded by `requestTimeoutMs` instead. */
  idleTimeoutMs: number;
  /** An idle keep-alive connection between two requests is closed after this many ms. */
  keepAliveTimeoutMs: number;
  /** Most open connections altogether; more are closed at once (0: no limit). */
  maxConnections: number;
  /** Most open connections from one client address; more are closed at once (0: no limit; behind a load balancer every client has its address). */
  maxConnectionsPerIp: number;
}

/**
 * Default connection limits: headers in 10 s, a whole request (1 MiB at most) in 30 s, a silent
 * socket closed after 2 minutes, keep-alive 72 s (above the 60 s idle timeout of common load
 * balancers, which must close first), no cap on connections (the timeouts bound how long each lasts).
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  receiveTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 0,
  maxConnectionsPerIp: 0,
};
