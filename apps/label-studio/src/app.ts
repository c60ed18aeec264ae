import { basicAuthChecker, errorReply, HttpError, jsonBodies, notFoundHandler } from '@spert/http';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { LabelStudioBackend } from './backend';

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

const MODEL_CLASS = 'SpERT';

/**
 * The ML backend's HTTP side, as label-studio-ml-backend's api.py defines it: `GET /` and
 * `/health` (`{"status": "UP", "model_class": ...}`), `GET /metrics`, `POST /setup`,
 * `POST /predict`, `POST /webhook`; optional basic auth; no CORS (Label Studio calls the backend
 * from its server, never from a browser). Errors answer `{statusCode, error, code, message, details?}`.
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
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    // By code (@spert/http): a LabelStudioError's INVALID_REQUEST answers 400, INVALID_CONFIG and LABEL_MISMATCH 422.
    const { internal, ...body } = errorReply(err);
    if (internal) request.log.error({ err }, 'request failed');
    if (body.statusCode === 401) void reply.header('www-authenticate', 'Basic realm="spert-label-studio"');
    void reply.status(body.statusCode).type('application/json').send(body);
  });
  app.setNotFoundHandler(notFoundHandler);
  // Bodies Label Studio sends are JSON; a prototype key answers 400 naming it.
  await app.register(jsonBodies);
  if (o.basicAuth !== undefined) {
    const check = basicAuthChecker(o.basicAuth);
    app.addHook('onRequest', async (request) => {
      if (!check(request.headers.authorization)) throw new HttpError(401, 'UNAUTHORIZED', 'missing or wrong credentials: send HTTP basic auth (the user and password of --basic-auth; in Label Studio: the ML backend\'s "Basic auth" fields)');
    });
  }
  app.addHook('onClose', async () => backend.close());

  const health = async () => ({
    status: 'UP',
    model_class: MODEL_CLASS,
    model_version: backend.modelVersion,
    training: { ...backend.scheduler.status, ...(backend.lastTraining ? { last: backend.lastTraining } : {}) },
  });
  app.get('/', health);
  app.get('/health', health);
  app.get('/metrics', async () => ({
    model_version: backend.modelVersion,
    predict_requests: backend.counts.predictions,
    predicted_tasks: backend.counts.tasks,
    training_requests: backend.scheduler.counts.requests,
    training_runs: backend.scheduler.counts.runs,
    training_failures: backend.scheduler.counts.failures,
    model_swaps: backend.counts.swaps,
  }));
  app.post('/setup', async (request) => backend.setup(request.body));
  app.post('/predict', async (request) => backend.predict(request.body));
  app.post('/webhook', async (request, reply) => {
    const { statusCode, body } = backend.webhook(request.body);
    return reply.status(statusCode).send(body);
  });
  await app.ready();
  return app;
}
