import cors from '@fastify/cors';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import type { Prediction, PredictionInput } from '@spert/core';
import { createBatchingPredictor, type BatchingPredictor, type Timers } from '@spert/pipeline';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { bearerChecker, documentsError, errorReply, HttpError, reasonPhrase } from '@spert/http';
import { findForbiddenKey, forbiddenKeyMessage, type ForbiddenKey } from './forbidden-key';
import { createMetrics, measuredPredictor, type ServeMetrics } from './metrics';
import { BROWSER_PAGE_CSP, renderPage } from './page';
import { prepareDocuments } from './prepare-documents';
import { healthSchema, livenessSchema, metadataSchema, predictSchema, readinessSchema } from './schemas';
import { toResponseDocument } from './to-response';
import {
  DEFAULT_BATCH,
  DEFAULT_CONNECTION_LIMITS,
  DEFAULT_LIMITS,
  DEFAULT_OPERATIONS,
  type BatchOptions,
  type ConnectionLimits,
  type LogLevel,
  type OperationsOptions,
  type PredictRequest,
  type PredictResponse,
  type Predictor,
  type ServeLimits,
} from './types';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  predictor: Predictor;
  limits?: Partial<ServeLimits>;
  batch?: Partial<BatchOptions>;
  /** Fastify logger setting (false in tests, true for the CLI); `logLevel` or `logStream` turn it on too. */
  logger?: boolean;
  /** Level of the logger (default `info`: start-up, errors, the periodic summary; `debug`: every request). */
  logLevel?: LogLevel;
  /** Where log lines go (default stdout); tests capture them. */
  logStream?: { write(line: string): void };
  /** Backpressure, timeout, authentication, CORS and summary settings. */
  operations?: Partial<OperationsOptions>;
  /** Timeouts and caps of client connections (slow or idle clients). */
  connections?: Partial<ConnectionLimits>;
  /**
   * Documents predicted once before `/health/ready` answers 200 (first calls of onnxruntime are
   * slow); `true` for a built-in sentence; default none (ready at once).
   */
  warmup?: boolean | PredictionInput[];
  /** Timers for the micro-batcher (tests). */
  timers?: Timers;
  /** Clock for uptime (ms). */
  now?: () => number;
  /** Extra version strings reported by `GET /metadata`. */
  versions?: Record<string, string>;
  /** A folder written by @spert/web's writeWebFolder: served under /web/, and the page offers "run in this browser" with the service's own model files. */
  webDir?: string;
  /** Runs when the app has closed and the predictor is disposed (e.g. to remove `webDir`). */
  onClosed?: () => Promise<void> | void;
}

/** The fastify app plus its batcher, exposed for stats and shutdown. */
export interface ServeApp {
  app: FastifyInstance;
  /** The predictor behind the routes, micro-batching concurrent requests (stats, pending, drain). */
  batcher: BatchingPredictor;
  limits: ServeLimits;
  batch: BatchOptions;
  operations: OperationsOptions;
  connections: ConnectionLimits;
  metrics: ServeMetrics;
  /** Resolves once warm-up finished and `/health/ready` answers 200; rejects if warm-up failed. */
  whenReady: Promise<void>;
}

const SERVICE_VERSION = '0.1.0';

const WARMUP: PredictionInput[] = [{ kind: 'text', text: 'John Smith works for Acme Corp in Berlin.' }];

// Codes answered with Retry-After: the client should come back, not give up.
const RETRY_CODES = new Set(['QUEUE_FULL', 'TIMEOUT', 'NOT_READY']);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HttpError(503, 'TIMEOUT', `no answer within ${ms} ms (the service is overloaded); retry later`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isPublic(path: string, open: OperationsOptions['publicEndpoints']): boolean {
  if (path === '/health' || path.startsWith('/health/')) return open.health;
  if (path === '/metrics') return open.metrics;
  return false;
}

/**
 * Builds the spert-serve app over any {@link Predictor}: `POST /predict` (micro-batched, bounded
 * queue, timeout), `GET /health`, `/health/live`, `/health/ready`, `/metrics` (Prometheus),
 * `/metadata`, `/openapi.json` and the web page at `GET /`; optional bearer-token auth and CORS.
 * Closing the app drains the batcher and disposes the predictor.
 */
export async function buildApp(options: BuildAppOptions): Promise<ServeApp> {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const batch: BatchOptions = { ...DEFAULT_BATCH, ...options.batch };
  const operations: OperationsOptions = {
    ...DEFAULT_OPERATIONS,
    ...options.operations,
    publicEndpoints: { ...DEFAULT_OPERATIONS.publicEndpoints, ...options.operations?.publicEndpoints },
  };
  if (!(Number.isInteger(operations.maxQueue) && operations.maxQueue >= limits.documents)) {
    throw new Error(`maxQueue: expected an integer of at least the per-request document limit (${limits.documents}), got ${operations.maxQueue}`);
  }
  const connections = checkConnectionLimits({ ...DEFAULT_CONNECTION_LIMITS, ...options.connections });
  const now = options.now ?? (() => Date.now());
  const started = now();
  const { predictor } = options;
  const meta = predictor.metadata();
  const logOn = options.logger === true || options.logLevel !== undefined || options.logStream !== undefined;

  const app = Fastify({
    logger: logOn ? { level: options.logLevel ?? 'info', ...(options.logStream ? { stream: options.logStream } : {}) } : false,
    // Two info lines per request were 24 MB of logs for 64k requests: requests log at debug (onResponse below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.bodyBytes,
    // Wrong types must be rejected, not coerced ("123" is not a word list), and nothing removed silently.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Idle keep-alive sockets close at once on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // Slow clients: node answers 408 and closes a socket whose headers (or whole request) are late;
    // it looks every connectionsCheckingInterval (30 s by default, far too coarse for a 10 s bound).
    requestTimeout: connections.receiveTimeoutMs,
    connectionTimeout: connections.idleTimeoutMs,
    keepAliveTimeout: connections.keepAliveTimeoutMs,
    http: { headersTimeout: connections.headersTimeoutMs, connectionsCheckingInterval: checkingInterval(connections) },
  });
  if (connections.maxConnections > 0) app.server.maxConnections = connections.maxConnections;
  if (connections.maxConnectionsPerIp > 0) capConnectionsPerAddress(app.server, connections.maxConnectionsPerIp);

  let ready = false;
  let closing = false;
  let warmupError: unknown;
  // The gauges read the batcher only when scraped, after it exists.
  const metrics = createMetrics({ queueDepth: () => batcher.pending, ready: () => ready && !closing });
  const batcher = createBatchingPredictor(measuredPredictor(predictor, metrics), { maxBatch: batch.maxBatch, maxWaitMs: batch.maxWaitMs, concurrency: batch.concurrency, timers: options.timers });
  // Only JSON bodies: without this, fastify parses text/plain and the request fails validation (400) instead of 415.
  app.removeContentTypeParser('text/plain');
  // fastify's JSON parser refuses "__proto__" (and constructor.prototype) keys but answers "Body is
  // not valid JSON", as for broken JSON: the same parser, with a 400 that names the key and where it is.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (err, value) => {
      if (!err) return done(null, value);
      let refused: ForbiddenKey | undefined;
      try {
        refused = findForbiddenKey(JSON.parse(body as string));
      } catch {
        refused = undefined; // not JSON at all: fastify's message says so
      }
      done(refused ? new HttpError(400, 'FORBIDDEN_KEY', forbiddenKeyMessage(refused)) : err, undefined);
    });
  });

  if (operations.corsOrigins && operations.corsOrigins.length > 0) {
    const origins = operations.corsOrigins;
    await app.register(cors, { origin: origins.includes('*') ? true : origins, methods: ['GET', 'POST'], allowedHeaders: ['content-type', 'authorization'] });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'spert-serve', version: SERVICE_VERSION, description: 'SpERT joint entity and relation extraction over HTTP' },
    },
  });

  // What the periodic summary reports: counts since the previous summary.
  const recent = { requests: 0, errors: 0, rejected: 0, documents: 0, latencyMs: 0 };

  app.setErrorHandler((err: FastifyError | HttpError | Error, request, reply) => {
    const { internal, ...body } = errorReply(err);
    if (internal) request.log.error({ err }, 'predict failed');
    if (RETRY_CODES.has(body.code)) void reply.header('retry-after', String(operations.retryAfterSeconds));
    if (body.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="spert-serve"');
    void reply.status(body.statusCode).type('application/json').send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ statusCode: 404, error: reasonPhrase(404), code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.slice(0, 200)}` });
  });

  // Shutdown must not wait for sockets that carry no request: node's server.close() reaps idle
  // keep-alive sockets but counts a fresh one (a browser's preconnect) as busy until headersTimeout.
  // So count requests per socket, destroy the ones with none when closing starts, and answers
  // finished while closing tell the client to drop the socket (so busy ones end with their request).
  const requestsOn = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    requestsOn.set(socket, 0);
    socket.once('close', () => requestsOn.delete(socket));
  });
  // The idle timeout (fastify's connectionTimeout) closes silent sockets, but not one whose client
  // waits for a slow answer: that one is bounded by the request timeout (503).
  app.server.on('timeout', (socket: Socket) => {
    if ((requestsOn.get(socket) ?? 0) === 0) socket.destroy();
  });
  app.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket;
    requestsOn.set(socket, (requestsOn.get(socket) ?? 0) + 1);
    reply.raw.once('close', () => {
      const left = (requestsOn.get(socket) ?? 1) - 1;
      requestsOn.set(socket, left);
      if (closing && left === 0) socket.destroySoon();
    });
  });
  if (operations.apiKey !== undefined) {
    const check = bearerChecker(operations.apiKey);
    app.addHook('onRequest', async (request) => {
      // CORS preflights carry no credentials by design; @fastify/cors answers them.
      if (request.method === 'OPTIONS') return;
      const path = request.url.split('?', 1)[0] as string;
      if (isPublic(path, operations.publicEndpoints)) return;
      if (!check(request.headers.authorization)) {
        metrics.rejected.inc({ reason: 'unauthorized' });
        throw new HttpError(401, 'UNAUTHORIZED', 'missing or wrong API key: send "Authorization: Bearer <key>"');
      }
    });
  }
  app.addHook('preClose', async () => {
    closing = true;
    for (const [socket, n] of requestsOn) if (n === 0) socket.destroy();
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.latency.observe({ route }, seconds);
    recent.requests += 1;
    recent.latencyMs += reply.elapsedTime;
    if (reply.statusCode >= 500) recent.errors += 1;
    if (reply.statusCode === 429) recent.rejected += 1;
    request.log.debug({ method: request.method, url: request.url.slice(0, 200), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  let summaryTimer: ReturnType<typeof setInterval> | undefined;
  if (logOn && operations.summaryIntervalMs > 0) {
    summaryTimer = setInterval(() => {
      if (recent.requests === 0) return; // an idle service stays quiet
      app.log.info(
        {
          requests: recent.requests,
          errors5xx: recent.errors,
          rejected429: recent.rejected,
          documents: recent.documents,
          meanLatencyMs: Math.round((recent.latencyMs / recent.requests) * 10) / 10,
          queueDepth: batcher.pending,
          intervalSeconds: operations.summaryIntervalMs / 1000,
        },
        'summary',
      );
      Object.assign(recent, { requests: 0, errors: 0, rejected: 0, documents: 0, latencyMs: 0 });
    }, operations.summaryIntervalMs);
    summaryTimer.unref();
  }

  let warming: Promise<unknown> = Promise.resolve();
  app.addHook('onClose', async () => {
    if (summaryTimer) clearInterval(summaryTimer);
    // Never free the runtime under a running warm-up call.
    await warming;
    await batcher.dispose();
    await options.onClosed?.();
  });

  // With the browser build, the page may load it as a module, compile its wasm and start workers (BROWSER_PAGE_CSP).
  const page = options.webDir ? renderPage({ browser: { bundle: 'web/spert-web.js', model: 'web/model/' } }) : renderPage();
  const csp = options.webDir ? BROWSER_PAGE_CSP : "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";
  if (options.webDir) await app.register(fastifyStatic, { root: options.webDir, prefix: '/web/', decorateReply: false, index: false });
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(page);
  });

  app.get('/health', { schema: healthSchema }, async () => ({ status: 'ok', uptimeSeconds: (now() - started) / 1000 }));
  app.get('/health/live', { schema: livenessSchema }, async () => ({ status: 'ok', uptimeSeconds: (now() - started) / 1000 }));
  app.get('/health/ready', { schema: readinessSchema }, async (_req, reply) => {
    if (ready && !closing) return { status: 'ready' };
    return reply.status(503).header('retry-after', String(operations.retryAfterSeconds)).send({ status: closing ? 'closing' : warmupError ? 'failed' : 'warming-up' });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/metadata', { schema: metadataSchema }, async () => ({
    model: meta,
    entityTypes: meta.entityTypes,
    relationTypes: meta.relationTypes,
    limits,
    batching: { ...batch, ...batcher.stats },
    versions: { service: SERVICE_VERSION, node: process.versions.node, fastify: app.version, ...options.versions },
  }));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.post<{ Body: PredictRequest }>('/predict', { schema: predictSchema }, async (request): Promise<PredictResponse> => {
    const prepared: PredictionInput[] = prepareDocuments(request.body.documents, limits);
    // Bounded memory under overload: refuse before queueing, never queue without limit.
    if (batcher.pending + prepared.length > operations.maxQueue) {
      metrics.rejected.inc({ reason: 'queue_full' });
      throw new HttpError(429, 'QUEUE_FULL', `${batcher.pending} documents are waiting (the queue holds ${operations.maxQueue}); retry later`);
    }
    let preds: Prediction[];
    try {
      preds = await withTimeout(batcher.predict(prepared), operations.requestTimeoutMs);
    } catch (err) {
      if (err instanceof HttpError && err.code === 'TIMEOUT') metrics.rejected.inc({ reason: 'timeout' });
      // The batcher gives each request the error of its own documents, documentIndex relative to it.
      throw documentsError(err);
    }
    recent.documents += prepared.length;
    return { documents: prepared.map((d, i) => toResponseDocument(d, preds[i], i)) };
  });

  await app.ready();

  const warmupDocs = options.warmup === true ? WARMUP : options.warmup || [];
  // Straight to the predictor, not through the batcher: warm-up is no traffic and is not counted as such.
  // One call per concurrent slot: a pool of worker threads runs them at once, normally one on each
  // thread, so that no thread meets its first (slow) onnxruntime call with a client waiting.
  const warmAll = () => Promise.all(Array.from({ length: batch.concurrency }, () => predictor.predict(warmupDocs)));
  const whenReady = (warmupDocs.length > 0 ? Promise.resolve().then(warmAll) : Promise.resolve()).then(
    () => {
      ready = true;
      if (warmupDocs.length > 0) app.log.info({ documents: warmupDocs.length, ms: now() - started }, 'model warmed up, ready');
    },
    (err: unknown) => {
      warmupError = err;
      app.log.error({ err }, 'warm-up failed: /health/ready stays 503');
      throw err;
    },
  );
  // The caller may never await it; a failure is logged and reported by /health/ready.
  warming = whenReady.catch(() => undefined);
  return { app, batcher, limits, batch, operations, connections, metrics, whenReady };
}

function checkConnectionLimits(c: ConnectionLimits): ConnectionLimits {
  for (const [k, v] of Object.entries(c)) {
    if (!(Number.isInteger(v) && v >= 0)) throw new Error(`connections.${k}: expected an integer >= 0, got ${v}`);
  }
  if (c.keepAliveTimeoutMs === 0) throw new Error('connections.keepAliveTimeoutMs: expected at least 1 ms (0 would keep idle connections for ever)');
  if (c.receiveTimeoutMs > 0 && c.headersTimeoutMs > c.receiveTimeoutMs) {
    throw new Error(`connections.headersTimeoutMs (${c.headersTimeoutMs}) exceeds receiveTimeoutMs (${c.receiveTimeoutMs}): the headers are part of the request`);
  }
  return c;
}

// How often node looks for late headers and requests: a quarter of the shortest bound, between 50 ms and 1 s.
function checkingInterval(c: ConnectionLimits): number {
  const bounds = [c.headersTimeoutMs, c.receiveTimeoutMs].filter((b) => b > 0);
  return bounds.length === 0 ? 1000 : Math.max(50, Math.min(1000, Math.floor(Math.min(...bounds) / 4)));
}

// One client address may hold at most `max` sockets; the ones above are closed before any byte is read.
function capConnectionsPerAddress(server: FastifyInstance['server'], max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '?';
    const n = (open.get(address) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
