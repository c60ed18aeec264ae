import fp from 'fastify-plugin';
import { basicAuthChecker } from './credentials';
import { HttpError } from './http-error';

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  /** "user:password" every request must carry as HTTP basic auth. */
  credentials: string;
  /** Where the client sets them, added to the 401 message (a flag, a settings page). */
  hint?: string;
}

/**
 * fastify plugin: every request must carry HTTP basic auth with `credentials` (compared in
 * constant time), else 401 `UNAUTHORIZED`; errorAnswers' `authChallenge` adds the
 * `WWW-Authenticate` header. Registered with fastify-plugin: the hook must hold for every route.
 */
export const basicAuth = fp<BasicAuthOptions>(
  async (app, options) => {
    const check = basicAuthChecker(options.credentials);
    const message = `missing or wrong credentials: send HTTP basic auth${options.hint ? ` (${options.hint})` : ''}`;
    app.addHook('onRequest', async (request) => {
      if (!check(request.headers.authorization)) throw new HttpError(401, 'UNAUTHORIZED', message);
    });
  },
  { name: '@spert/http/basic-auth', fastify: '5.x' },
);
