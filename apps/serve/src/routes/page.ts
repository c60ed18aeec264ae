import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { BROWSER_PAGE_CSP, renderPage } from '@spert/web';

/** `GET /`: the demo page; with `webDir` (a folder written by @spert/web's writeWebFolder) also the browser build under /web/. */
export const pageRoutes = fp<{ webDir?: string }>(
  async (app, options) => {
    // With the browser build, the page may load it as a module, compile its wasm and start workers (BROWSER_PAGE_CSP).
    const page = options.webDir ? renderPage({ browser: { bundle: 'web/spert-web.js', model: 'web/model/' } }) : renderPage();
    const csp = options.webDir ? BROWSER_PAGE_CSP : "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";
    if (options.webDir) await app.register(fastifyStatic, { root: options.webDir, prefix: '/web/', decorateReply: false, index: false });
    app.get('/', { schema: { hide: true } }, async (_req, reply) => {
      return reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(page);
    });
  },
  { name: 'spert-serve/routes/page', fastify: '5.x', encapsulate: true },
);
