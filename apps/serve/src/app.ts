import type { PredictionInput } from '@spert/core';
import { jsonBodies } from '@spert/http';
import type { BatchingPredictor, Timers } from '@spert/pipeline';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServeMetrics } from './metrics';
import { apiDocs } from './plugins/api-docs';
import { bearerAuth } from './plugins/bearer-auth';
import { connectionCaps } from './plugins/connection-caps';
import { corsOrigins } from './plugins/cors';
import { errorHandling } from './plugins/errors';
import { lifecycle } from './plugins/lifecycle';
import { predictorPlugin } from './plugins/predictor';
import { requestMetrics } from './plugins/request-metrics';
import { summaryLog } from './plugins/summary';
import { warmup } from './plugins/warmup';
import { healthRoutes } from './routes/health';
import { metadataRoute } from './routes/metadata';
import { metricsRoute } from './routes/metrics';
import { openapiRoute } from './routes/openapi';
import { pageRoutes } from './routes/page';
import { predictRoute } from './routes/predict';
import { fastifyOptions, loggingOn, resolveSettings, type LogSettings, type ServeSettings, type ServeSettingsInput } from './settings';
import type { Predictor } from './types';

/** Options of {@link buildApp}. */
export interface BuildAppOptions extends ServeSettingsInput, LogSettings {
  predictor: Predictor;
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
export interface ServeApp extends ServeSettings {
  app: FastifyInstance;
  /** The predictor behind the routes, micro-batching concurrent requests (stats, pending, drain). */
  batcher: BatchingPredictor;
  metrics: ServeMetrics;
  /** Resolves once warm-up finished and `/health/ready` answers 200; rejects if warm-up failed. */
  whenReady: Promise<void>;
}

/**
 * Builds the spert-serve app over any {@link Predictor}: `POST /predict` (micro-batched, bounded
 * queue, timeout), `GET /health`, `/health/live`, `/health/ready`, `/metrics` (Prometheus),
 * `/metadata`, `/openapi.json` and the web page at `GET /`; optional bearer-token auth and CORS.
 * Closing the app drains the batcher and disposes the predictor. Each concern is a fastify plugin
 * (plugins/: app-wide decorators and hooks; routes/: encapsulated routes); this only registers them.
 */
export async function buildApp(options: BuildAppOptions): Promise<ServeApp> {
  const settings = resolveSettings(options);
  const { limits, batch, operations, connections } = settings;
  const { predictor } = options;
  const app = Fastify(fastifyOptions(options, settings));

  await app.register(connectionCaps, { connections });
  await app.register(jsonBodies);
  await app.register(corsOrigins, { origins: operations.corsOrigins });
  await app.register(apiDocs);
  await app.register(errorHandling, { operations });
  await app.register(lifecycle, { now: options.now });
  await app.register(predictorPlugin, { predictor, batch, timers: options.timers, onClosed: options.onClosed });
  await app.register(bearerAuth, { operations });
  await app.register(requestMetrics);
  await app.register(summaryLog, { enabled: loggingOn(options), intervalMs: operations.summaryIntervalMs });

  await app.register(pageRoutes, { webDir: options.webDir });
  await app.register(healthRoutes, { operations });
  await app.register(metricsRoute);
  await app.register(metadataRoute, { predictor, limits, batch, versions: options.versions });
  await app.register(openapiRoute);
  await app.register(predictRoute, { limits, operations });

  await app.register(warmup, { predictor, documents: options.warmup, concurrency: batch.concurrency });
  await app.ready();
  return { app, batcher: app.batcher, ...settings, metrics: app.metrics, whenReady: app.whenReady };
}
