import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import { SERVICE_VERSION } from '../settings';

/**
 * Collects the routes' schemas into the OpenAPI description (`app.swagger()`, served by
 * routes/openapi.ts). Registered with fastify-plugin before the routes: it sees every route
 * added after it, in whatever plugin.
 */
export const apiDocs = fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'spert-serve', version: SERVICE_VERSION, description: 'SpERT joint entity and relation extraction over HTTP' },
      },
    });
  },
  { name: 'spert-serve/api-docs', fastify: '5.x' },
);
