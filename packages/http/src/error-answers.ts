import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { errorReply, type ErrorBody } from './error-reply';
import { notFoundHandler } from './not-found';

/** Options of {@link errorAnswers}. */
export interface ErrorAnswersOptions {
  /** `WWW-Authenticate` of the 401 answers (`Bearer realm="..."`, `Basic realm="..."`); none without it. */
  authChallenge?: string;
  /** Further headers of an error answer, by its body (spert-serve's Retry-After). */
  headers?: (body: ErrorBody) => Record<string, string> | undefined;
  /** The log line of an error the server did not mean to answer (default `request failed`). */
  logMessage?: string;
}

/**
 * Every error answers `{ statusCode, error, code, message, details? }` ({@link errorReply}, by the
 * error's code), an unexpected one is logged, 401 carries `authChallenge`; unknown routes answer
 * 404 ({@link notFoundHandler}). Registered with fastify-plugin: the handlers must hold for the
 * routes of every plugin.
 */
export const errorAnswers = fp<ErrorAnswersOptions>(
  async (app, options) => {
    app.setErrorHandler((err: FastifyError | Error, request, reply) => {
      const { internal, ...body } = errorReply(err);
      if (internal) request.log.error({ err }, options.logMessage ?? 'request failed');
      for (const [name, value] of Object.entries(options.headers?.(body) ?? {})) void reply.header(name, value);
      if (body.statusCode === 401 && options.authChallenge !== undefined) void reply.header('www-authenticate', options.authChallenge);
      void reply.status(body.statusCode).type('application/json').send(body);
    });
    app.setNotFoundHandler(notFoundHandler);
  },
  { name: '@spert/http/error-answers', fastify: '5.x' },
);
