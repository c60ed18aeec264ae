import fp from 'fastify-plugin';
import type { PredictionInput } from '@spert/core';
import type { Predictor } from '../types';

const WARMUP: PredictionInput[] = [{ kind: 'text', text: 'John Smith works for Acme Corp in Berlin.' }];

/** Options of {@link warmup}. */
export interface WarmupOptions {
  predictor: Predictor;
  /** Documents predicted once before `/health/ready` answers 200; `true` for a built-in sentence; none: ready at once. */
  documents?: boolean | PredictionInput[];
  /** Calls at once: one per concurrent slot of the predictor (its worker threads). */
  concurrency: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves once warm-up finished and `/health/ready` answers 200; rejects if warm-up failed (plugins/warmup.ts). */
    whenReady: Promise<void>;
  }
}

/**
 * Once the app is ready, predicts the warm-up documents (first calls of onnxruntime are slow) and
 * then marks the service ready; a failure is logged and keeps `/health/ready` at 503.
 */
export const warmup = fp<WarmupOptions>(
  async (app, { predictor, documents, concurrency }) => {
    const state = app.lifecycle;
    const warmupDocs = documents === true ? WARMUP : documents || [];
    let start!: () => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    // Straight to the predictor, not through the batcher: warm-up is no traffic and is not counted as such.
    // One call per concurrent slot: a pool of worker threads runs them at once, normally one on each
    // thread, so that no thread meets its first (slow) onnxruntime call with a client waiting.
    const warmAll = () => Promise.all(Array.from({ length: concurrency }, () => predictor.predict(warmupDocs)));
    const whenReady = started.then(() => (warmupDocs.length > 0 ? warmAll() : undefined)).then(
      () => {
        state.ready = true;
        if (warmupDocs.length > 0) app.log.info({ documents: warmupDocs.length, ms: state.now() - state.started }, 'model warmed up, ready');
      },
      (err: unknown) => {
        state.warmupError = err;
        app.log.error({ err }, 'warm-up failed: /health/ready stays 503');
        throw err;
      },
    );
    app.decorate('whenReady', whenReady);
    app.addHook('onReady', async () => {
      // The caller may never await it; a failure is logged and reported by /health/ready.
      state.warming = whenReady.catch(() => undefined);
      start();
    });
  },
  { name: 'spert-serve/warmup', fastify: '5.x', dependencies: ['spert-serve/lifecycle'] },
);
