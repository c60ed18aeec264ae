import type { PredictCallOptions, Prediction, PredictionInput, Predictor } from '@spert/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The service's Prometheus metrics, on a registry of its own (several apps in one process never collide). */
export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  latency: Histogram<'route'>;
  batchSize: Histogram;
  documents: Counter;
  rejected: Counter<'reason'>;
}

/** Options of {@link createMetrics}. */
export interface CreateMetricsOptions {
  /** Documents waiting for a model call right now (the batcher's `pending`). */
  queueDepth: () => number;
  /** 1 once the model is loaded and warmed up. */
  ready: () => boolean;
  /** Process metrics (RSS, CPU, event-loop lag, GC) too; off in tests that count series. */
  processMetrics?: boolean;
}

/** Creates the counters, histograms and gauges `GET /metrics` exposes. */
export function createMetrics(o: CreateMetricsOptions): ServeMetrics {
  const registry = new Registry();
  if (o.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'spert_' });
  const requests = new Counter({
    name: 'spert_http_requests_total',
    help: 'HTTP requests by route (the route pattern, "unmatched" for 404s), method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'spert_http_request_duration_seconds',
    help: 'Time from request received to response sent, by route',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'spert_batch_size_documents',
    help: 'Documents per model call, as the micro-batcher formed them',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [registry],
  });
  const documents = new Counter({ name: 'spert_documents_processed_total', help: 'Documents predicted (successful model calls)', registers: [registry] });
  const rejected = new Counter({
    name: 'spert_requests_rejected_total',
    help: 'Requests refused before prediction: queue full (429), timeout (503), unauthorised (401)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'spert_queue_depth_documents',
    help: 'Documents queued for the next model call (the autoscaling signal together with latency)',
    registers: [registry],
    collect() {
      this.set(o.queueDepth());
    },
  });
  new Gauge({
    name: 'spert_ready',
    help: '1 once the model is loaded and warmed up, 0 before and while shutting down',
    registers: [registry],
    collect() {
      this.set(o.ready() ? 1 : 0);
    },
  });
  return { registry, requests, latency, batchSize, documents, rejected };
}

/**
 * Wraps the predictor the micro-batcher calls so that every model call is measured: its size
 * (the batch the batcher formed) and, once it succeeds, its documents. No inference happens here.
 */
export function measuredPredictor(inner: Predictor, metrics: Pick<ServeMetrics, 'batchSize' | 'documents'>): Predictor {
  return {
    predict: async (inputs: readonly PredictionInput[], options?: PredictCallOptions): Promise<Prediction[]> => {
      metrics.batchSize.observe(inputs.length);
      const out = await inner.predict(inputs, options);
      metrics.documents.inc(inputs.length);
      return out;
    },
    metadata: () => inner.metadata(),
    dispose: inner.dispose ? () => inner.dispose?.() : undefined,
  };
}
