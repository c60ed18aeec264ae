import swagger from '@fastify/swagger';
import type { Prediction, PredictionInput } from '@spert/core';
import { splitWords } from '@spert/tokenizer';
import { createBatchingPredictor, type BatchingPredictor, type Timers } from '@spert/pipeline';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { HttpError } from './http-error';
import { renderPage } from './page';
import { prepareDocuments } from './prepare-documents';
import { healthSchema, metadataSchema, predictSchema } from './schemas';
import { toResponseDocument } from './to-response';
import { DEFAULT_BATCH, DEFAULT_LIMITS, type BatchOptions, type PredictRequest, type PredictResponse, type Predictor, type ServeLimits } from './types';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  predictor: Predictor;
  limits?: Partial<ServeLimits>;
  batch?: Partial<BatchOptions>;
  /** Fastify logger setting (false in tests, true for the CLI). */
  logger?: boolean;
  /** Timers for the micro-batcher (tests). */
  timers?: Timers;
  /** Clock for uptime (ms). */
  now?: () => number;
  /** Extra version strings reported by `GET /metadata`. */
  versions?: Record<string, string>;
}

/** The fastify app plus its batcher, exposed for stats and shutdown. */
export interface ServeApp {
  app: FastifyInstance;
  /** The predictor behind the routes, micro-batching concurrent requests (stats, pending, drain). */
  batcher: BatchingPredictor;
  limits: ServeLimits;
  batch: BatchOptions;
}

const SERVICE_VERSION = '0.1.0';

function reason(status: number): string {
  const names: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable' };
  return names[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/**
 * The tokenizer's SequenceTooLongError (matched by shape, the runtime's tokenizer is not our
 * dependency) is the client's input, not a server fault: answer 422 naming the document if we can.
 */
function tooLongAsHttpError(err: unknown, wordCounts: number[]): HttpError | undefined {
  if (!(err instanceof Error) || err.name !== 'SequenceTooLongError') return undefined;
  const e = err as Error & { wordCount?: unknown; wordpieceLength?: unknown; maxLength?: unknown };
  if (typeof e.wordCount !== 'number' || typeof e.wordpieceLength !== 'number' || typeof e.maxLength !== 'number') return undefined;
  const matches = wordCounts.flatMap((n, i) => (n === e.wordCount ? [i] : []));
  const where = matches.length === 1 ? `documents[${matches[0]}]` : 'a document';
  return new HttpError(
    422,
    'DOCUMENT_TOO_LONG',
    `${where}: ${e.wordCount} words give ${e.wordpieceLength} wordpieces, the model takes at most ${e.maxLength}; split the document`,
  );
}

// Word counts of the request's documents, to name the too-long one (error path only).
function wordCounts(docs: readonly PredictionInput[]): number[] {
  return docs.map((d) => (d.kind === 'tokens' ? d.tokens.length : splitWords(d.text).length));
}

/**
 * Builds the spert-serve app over any {@link Predictor}: `POST /predict` (micro-batched),
 * `GET /health`, `GET /metadata`, `GET /openapi.json` and the web page at `GET /`.
 * Closing the app drains the batcher and disposes the predictor.
 */
export async function buildApp(options: BuildAppOptions): Promise<ServeApp> {
  const limits: ServeLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const batch: BatchOptions = { ...DEFAULT_BATCH, ...options.batch };
  const now = options.now ?? (() => Date.now());
  const started = now();
  const { predictor } = options;
  const meta = predictor.metadata();

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: limits.bodyBytes,
    // Wrong types must be rejected, not coerced ("123" is not a word list), and nothing removed silently.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Idle keep-alive sockets close at once on shutdown; busy ones finish their request first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });

  const batcher = createBatchingPredictor(predictor, { maxBatch: batch.maxBatch, maxWaitMs: batch.maxWaitMs, timers: options.timers });
  // Only JSON bodies: without this, fastify parses text/plain and the request fails validation (400) instead of 415.
  app.removeContentTypeParser('text/plain');

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'spert-serve', version: SERVICE_VERSION, description: 'SpERT joint entity and relation extraction over HTTP' },
    },
  });

  app.setErrorHandler((err: FastifyError | HttpError | Error, request, reply) => {
    let status = 500;
    let code = 'INTERNAL';
    let message = 'internal error';
    if (err instanceof HttpError) {
      status = err.statusCode;
      code = err.code;
      message = err.message;
    } else if ('validation' in err && err.validation) {
      status = 400;
      code = 'INVALID_REQUEST';
      message = `request ${err.message}`;
    } else if ('statusCode' in err && typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      code = ('code' in err && typeof err.code === 'string' ? err.code : undefined) ?? 'BAD_REQUEST';
      message = err.message;
    } else {
      request.log.error({ err }, 'predict failed');
      message = `internal error: ${err.message}`;
    }
    void reply.status(status).type('application/json').send({ statusCode: status, error: reason(status), code, message });
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({ statusCode: 404, error: reason(404), code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.slice(0, 200)}` });
  });

  // Shutdown must not wait for sockets that carry no request: node's server.close() reaps idle
  // keep-alive sockets but counts a fresh one (a browser's preconnect) as busy until headersTimeout.
  // So count requests per socket, destroy the ones with none when closing starts, and answers
  // finished while closing tell the client to drop the socket (so busy ones end with their request).
  let closing = false;
  const requestsOn = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    requestsOn.set(socket, 0);
    socket.once('close', () => requestsOn.delete(socket));
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
  app.addHook('preClose', async () => {
    closing = true;
    for (const [socket, n] of requestsOn) if (n === 0) socket.destroy();
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) void reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onClose', async () => {
    await batcher.dispose();
  });

  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'").send(renderPage());
  });

  app.get('/health', { schema: healthSchema }, async () => ({ status: 'ok', uptimeSeconds: (now() - started) / 1000 }));

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
    let preds: Prediction[];
    try {
      preds = await batcher.predict(prepared);
    } catch (err) {
      throw tooLongAsHttpError(err, wordCounts(prepared)) ?? err;
    }
    return { documents: prepared.map((d, i) => toResponseDocument(d, preds[i], i)) };
  });

  await app.ready();
  return { app, batcher, limits, batch };
}
