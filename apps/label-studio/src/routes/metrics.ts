import type { FastifyPluginAsync } from 'fastify';
import type { LabelStudioBackend } from '../backend';

/** `GET /metrics`: the backend's counters as JSON (requests, tasks, training runs and failures, model swaps). */
export const metricsRoute: FastifyPluginAsync<{ backend: LabelStudioBackend }> = async (app, { backend }) => {
  app.get('/metrics', async () => ({
    model_version: backend.modelVersion,
    predict_requests: backend.counts.predictions,
    predicted_tasks: backend.counts.tasks,
    training_requests: backend.scheduler.counts.requests,
    training_runs: backend.scheduler.counts.runs,
    training_failures: backend.scheduler.counts.failures,
    model_swaps: backend.counts.swaps,
  }));
};
