import fp from 'fastify-plugin';
import { healthSchema, livenessSchema, readinessSchema } from '../schemas';
import type { OperationsOptions } from '../types';

/** `GET /health`, `/health/live` (the process answers) and `/health/ready` (200 once warmed up, 503 with Retry-After before and while closing). */
export const healthRoutes = fp<{ operations: Pick<OperationsOptions, 'retryAfterSeconds'> }>(
  async (app, { operations }) => {
    const state = app.lifecycle;
    app.get('/health', { schema: healthSchema }, async () => ({ status: 'ok', uptimeSeconds: state.uptimeSeconds() }));
    app.get('/health/live', { schema: livenessSchema }, async () => ({ status: 'ok', uptimeSeconds: state.uptimeSeconds() }));
    app.get('/health/ready', { schema: readinessSchema }, async (_req, reply) => {
      if (state.ready && !state.closing) return { status: 'ready' };
      return reply.status(503).header('retry-after', String(operations.retryAfterSeconds)).send({ status: state.closing ? 'closing' : state.warmupError ? 'failed' : 'warming-up' });
    });
  },
  { name: 'spert-serve/routes/health', fastify: '5.x', encapsulate: true, dependencies: ['spert-serve/lifecycle'] },
);
