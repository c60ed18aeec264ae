import fp from 'fastify-plugin';
import { createBatchingPredictor, type BatchingPredictor, type Timers } from '@spert/pipeline';
import { createMetrics, measuredPredictor, type ServeMetrics } from '../metrics';
import type { BatchOptions, Predictor } from '../types';

/** Options of {@link predictorPlugin}. */
export interface PredictorPluginOptions {
  predictor: Predictor;
  batch: BatchOptions;
  /** Timers for the micro-batcher (tests). */
  timers?: Timers;
  /** Runs when the app has closed and the predictor is disposed (e.g. to remove a folder the app served). */
  onClosed?: () => Promise<void> | void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The predictor behind the routes, micro-batching concurrent requests (plugins/predictor.ts). */
    batcher: BatchingPredictor;
    /** The service's Prometheus metrics (plugins/predictor.ts). */
    metrics: ServeMetrics;
  }
}

/**
 * Decorates the app with the micro-batcher over the predictor (every model call measured) and the
 * metrics; closing the app waits for warm-up, drains the batcher and disposes the predictor.
 */
export const predictorPlugin = fp<PredictorPluginOptions>(
  async (app, { predictor, batch, timers, onClosed }) => {
    const state = app.lifecycle;
    // The gauges read the batcher only when scraped, after it exists.
    const metrics = createMetrics({ queueDepth: () => batcher.pending, ready: () => state.ready && !state.closing });
    const batcher = createBatchingPredictor(measuredPredictor(predictor, metrics), { maxBatch: batch.maxBatch, maxWaitMs: batch.maxWaitMs, concurrency: batch.concurrency, timers });
    app.decorate('metrics', metrics);
    app.decorate('batcher', batcher);
    app.addHook('onClose', async () => {
      // Never free the runtime under a running warm-up call.
      await state.warming;
      await batcher.dispose();
      await onClosed?.();
    });
  },
  { name: 'spert-serve/predictor', fastify: '5.x', dependencies: ['spert-serve/lifecycle'] },
);
