import type { FastifyPluginAsync } from 'fastify';
import type { LabelStudioBackend } from '../backend';

/**
 * The calls of Label Studio's ML backend protocol: `POST /setup`, `/predict` and `/webhook`, each
 * answered by the backend (which parses and checks the body); the backend is closed with the app.
 */
export const mlBackendRoutes: FastifyPluginAsync<{ backend: LabelStudioBackend }> = async (app, { backend }) => {
  app.addHook('onClose', async () => backend.close());
  app.post('/setup', async (request) => backend.setup(request.body));
  app.post('/predict', async (request) => backend.predict(request.body));
  app.post('/webhook', async (request, reply) => {
    const { statusCode, body } = backend.webhook(request.body);
    return reply.status(statusCode).send(body);
  });
};
