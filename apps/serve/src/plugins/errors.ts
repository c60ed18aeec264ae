import fp from 'fastify-plugin';
import { errorAnswers } from '@spert/http';
import type { OperationsOptions } from '../types';

// Codes answered with Retry-After: the client should come back, not give up.
const RETRY_CODES = new Set(['QUEUE_FULL', 'TIMEOUT', 'NOT_READY']);

/**
 * Every error answers `{ statusCode, error, code, message }` (@spert/http's errorAnswers), with
 * Retry-After where the client should come back and a Bearer challenge on 401; unknown routes 404.
 */
export const errorHandling = fp<{ operations: Pick<OperationsOptions, 'retryAfterSeconds'> }>(
  async (app, { operations }) => {
    await app.register(errorAnswers, {
      authChallenge: 'Bearer realm="spert-serve"',
      headers: (body) => (RETRY_CODES.has(body.code) ? { 'retry-after': String(operations.retryAfterSeconds) } : undefined),
      logMessage: 'predict failed',
    });
  },
  { name: 'spert-serve/errors', fastify: '5.x' },
);
