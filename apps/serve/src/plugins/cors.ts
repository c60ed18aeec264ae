import fp from 'fastify-plugin';
import cors from '@fastify/cors';

/** CORS for the given origins (`*`: any); none given, no CORS headers at all. */
export const corsOrigins = fp<{ origins?: string[] }>(
  async (app, { origins }) => {
    if (!origins || origins.length === 0) return;
    await app.register(cors, { origin: origins.includes('*') ? true : origins, methods: ['GET', 'POST'], allowedHeaders: ['content-type', 'authorization'] });
  },
  { name: 'spert-serve/cors', fastify: '5.x' },
);
