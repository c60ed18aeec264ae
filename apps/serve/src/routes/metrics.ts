import fp from 'fastify-plugin';

/** `GET /metrics`: the Prometheus text format of the service's registry. */
export const metricsRoute = fp(
  async (app) => {
    const { metrics } = app;
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  },
  { name: 'spert-serve/routes/metrics', fastify: '5.x', encapsulate: true, dependencies: ['spert-serve/predictor'] },
);
