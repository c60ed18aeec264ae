import type { FastifyPluginAsync } from 'fastify';
import type { LabelStudioBackend } from '../backend';

// What Label Studio's ML backend settings show as the model's class.
const MODEL_CLASS = 'SpERT';

/** `GET /` and `/health`: `{"status": "UP", "model_class": ...}` as api.py answers, with the model version and training state. */
export const healthRoutes: FastifyPluginAsync<{ backend: LabelStudioBackend }> = async (app, { backend }) => {
  const health = async () => ({
    status: 'UP',
    model_class: MODEL_CLASS,
    model_version: backend.modelVersion,
    training: { ...backend.scheduler.status, ...(backend.lastTraining ? { last: backend.lastTraining } : {}) },
  });
  app.get('/', health);
  app.get('/health', health);
};
