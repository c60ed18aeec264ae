import { basicAuth, errorAnswers, jsonBodies } from '@spert/http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { LabelStudioBackend } from './backend';
import { healthRoutes } from './routes/health';
import { metricsRoute } from './routes/metrics';
import { mlBackendRoutes } from './routes/ml-backend';

/** Options of {@link buildLabelStudioApp}. */
export interface LabelStudioAppOptions {
  backend: LabelStudioBackend;
  /** "user:password": every request must carry it as HTTP basic auth (Label Studio's ML backend settings send it). */
  basicAuth?: string;
  /** Largest request body (default 50 MiB: /predict carries whole tasks). */
  bodyLimit?: number;
  /** Log level of fastify's logger (default: no logger). */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/**
 * The ML backend's HTTP side, as label-studio-ml-backend's api.py defines it: `GET /` and
 * `/health` (`{"status": "UP", "model_class": ...}`), `GET /metrics`, `POST /setup`,
 * `POST /predict`, `POST /webhook`; optional basic auth; no CORS (Label Studio calls the backend
 * from its server, never from a browser). Errors answer `{statusCode, error, code, message, details?}`.
 * Each concern is a fastify plugin (app-wide ones from @spert/http; routes/: encapsulated routes);
 * this only registers them.
 */
export async function buildLabelStudioApp(o: LabelStudioAppOptions): Promise<FastifyInstance> {
  const { backend } = o;
  const app = Fastify({
    logger: o.logLevel ? { level: o.logLevel } : false,
    // Label Studio polls /health and sends a /predict per task it opens: no log line per request.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: o.bodyLimit ?? 50 * 1024 * 1024,
    forceCloseConnections: 'idle',
  });
  // By code (@spert/http): a LabelStudioError's INVALID_REQUEST answers 400, INVALID_CONFIG and LABEL_MISMATCH 422.
  await app.register(errorAnswers, { authChallenge: 'Basic realm="spert-label-studio"' });
  // Bodies Label Studio sends are JSON; a prototype key answers 400 naming it.
  await app.register(jsonBodies);
  if (o.basicAuth !== undefined) {
    await app.register(basicAuth, { credentials: o.basicAuth, hint: 'the user and password of --basic-auth; in Label Studio: the ML backend\'s "Basic auth" fields' });
  }

  await app.register(healthRoutes, { backend });
  await app.register(metricsRoute, { backend });
  await app.register(mlBackendRoutes, { backend });
  await app.ready();
  return app;
}
