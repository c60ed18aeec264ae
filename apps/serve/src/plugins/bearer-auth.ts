import fp from 'fastify-plugin';
import { bearerChecker, HttpError } from '@spert/http';
import type { OperationsOptions } from '../types';

function isPublic(path: string, open: OperationsOptions['publicEndpoints']): boolean {
  if (path === '/health' || path.startsWith('/health/')) return open.health;
  if (path === '/metrics') return open.metrics;
  return false;
}

/** With an API key, every request but the public endpoints and CORS preflights must carry `Authorization: Bearer <key>` (401 otherwise, counted). */
export const bearerAuth = fp<{ operations: Pick<OperationsOptions, 'apiKey' | 'publicEndpoints'> }>(
  async (app, { operations }) => {
    if (operations.apiKey === undefined) return;
    const check = bearerChecker(operations.apiKey);
    const { metrics } = app;
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
  },
  { name: 'spert-serve/bearer-auth', fastify: '5.x', dependencies: ['spert-serve/predictor'] },
);
