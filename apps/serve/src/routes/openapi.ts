import fp from 'fastify-plugin';

/** `GET /openapi.json`: the OpenAPI description plugins/api-docs.ts collected from the routes' schemas. */
export const openapiRoute = fp(
  async (app) => {
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'spert-serve/routes/openapi', fastify: '5.x', encapsulate: true, dependencies: ['spert-serve/api-docs'] },
);
