import fp from 'fastify-plugin';
import { findForbiddenKey, forbiddenKeyMessage, type ForbiddenKey } from './forbidden-key';
import { HttpError } from './http-error';

/**
 * Request bodies are JSON only, and a refused prototype key answers 400 `FORBIDDEN_KEY` naming
 * the key and where it is. Registered with fastify-plugin: content-type parsers are scoped to the
 * context that adds them, and these must hold for every route of the app.
 */
export const jsonBodies = fp(
  async (app) => {
    // Without this, fastify parses text/plain and the request fails validation (400) instead of 415.
    app.removeContentTypeParser('text/plain');
    // fastify's JSON parser refuses "__proto__" (and constructor.prototype) keys but answers "Body is
    // not valid JSON", as for broken JSON: the same parser, with a 400 that names the key and where it is.
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      parseJson(request, body as string, (err, value) => {
        if (!err) return done(null, value);
        let refused: ForbiddenKey | undefined;
        try {
          refused = findForbiddenKey(JSON.parse(body as string));
        } catch {
          refused = undefined; // not JSON at all: fastify's message says so
        }
        done(refused ? new HttpError(400, 'FORBIDDEN_KEY', forbiddenKeyMessage(refused)) : err, undefined);
      });
    });
  },
  { name: '@spert/http/json-bodies', fastify: '5.x' },
);
