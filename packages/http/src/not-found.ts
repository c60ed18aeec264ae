import type { FastifyReply, FastifyRequest } from 'fastify';
import { reasonPhrase } from './error-reply';

/** `app.setNotFoundHandler(notFoundHandler)`: 404 `NOT_FOUND` with the error body of every other error, naming the method and path. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(404).send({ statusCode: 404, error: reasonPhrase(404), code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.slice(0, 200)}` });
}
