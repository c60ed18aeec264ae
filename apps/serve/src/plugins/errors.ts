import fp from 'fastify-plugin';
import type { FastifyError } from 'fastify';
import { errorReply, notFoundHandler, type HttpError } from '@spert/http';
import type { OperationsOptions } from '../types';

// Codes answered with Retry-After: the client should come back, not give up.
const RETRY_CODES = new Set(['QUEUE_FULL', 'TIMEOUT', 'NOT_READY']);

/**
 * Every error answers `{ statusCode, error, code, message }` (@spert/http's errorReply), with
 * Retry-After where the client should come back and a Bearer challenge on 401; unknown routes 404.
 * Registered with fastify-plugin: the handlers must hold for the routes of every plugin.
 */
export const errorHandling = fp<{ operations: Pick<OperationsOptions, 'retryAfterSeconds'> }>(
  async (app, { operations }) => {
    app.setErrorHandler((err: FastifyError | HttpError | Error, request, reply) => {
      const { internal, ...body } = errorReply(err);
      if (internal) request.log.error({ err }, 'predict failed');
      if (RETRY_CODES.has(body.code)) void reply.header('retry-after', String(operations.retryAfterSeconds));
      if (body.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="spert-serve"');
      void reply.status(body.statusCode).type('application/json').send(body);
    });

    app.setNotFoundHandler(notFoundHandler);
  },
  { name: 'spert-serve/errors', fastify: '5.x' },
);
