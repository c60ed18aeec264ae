import fp from 'fastify-plugin';

/** Counts every answer in the Prometheus metrics (by route pattern, method and status) and logs it at debug level. */
export const requestMetrics = fp(
  async (app) => {
    const { metrics } = app;
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
      metrics.latency.observe({ route }, reply.elapsedTime / 1000);
      request.log.debug({ method: request.method, url: request.url.slice(0, 200), statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    });
  },
  { name: 'spert-serve/request-metrics', fastify: '5.x', dependencies: ['spert-serve/predictor'] },
);
