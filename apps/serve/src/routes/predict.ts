import fp from 'fastify-plugin';
import { toPredictionRecord, type Prediction, type PredictionInput } from '@spert/core';
import { documentsError, HttpError } from '@spert/http';
import { prepareDocuments } from '../prepare-documents';
import { predictSchema } from '../schemas';
import type { OperationsOptions, PredictRequest, PredictResponse, ServeLimits } from '../types';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (ms <= 0) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HttpError(503, 'TIMEOUT', `no answer within ${ms} ms (the service is overloaded); retry later`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Options of {@link predictRoute}. */
export interface PredictRouteOptions {
  limits: ServeLimits;
  operations: Pick<OperationsOptions, 'maxQueue' | 'requestTimeoutMs'>;
}

/** `POST /predict`: validated documents, micro-batched through the app's batcher, a bounded queue (429) and a timeout (503). */
export const predictRoute = fp<PredictRouteOptions>(
  async (app, { limits, operations }) => {
    const { batcher, metrics, summaryCounts: recent } = app;
    app.post<{ Body: PredictRequest }>('/predict', { schema: predictSchema }, async (request): Promise<PredictResponse> => {
      const prepared: PredictionInput[] = prepareDocuments(request.body.documents, limits, { entitiesMode: request.body.entitiesMode, relations: request.body.relations });
      // Bounded memory under overload: refuse before queueing, never queue without limit.
      if (batcher.pending + prepared.length > operations.maxQueue) {
        metrics.rejected.inc({ reason: 'queue_full' });
        throw new HttpError(429, 'QUEUE_FULL', `${batcher.pending} documents are waiting (the queue holds ${operations.maxQueue}); retry later`);
      }
      let preds: Prediction[];
      try {
        preds = await withTimeout(batcher.predict(prepared), operations.requestTimeoutMs);
      } catch (err) {
        if (err instanceof HttpError && err.code === 'TIMEOUT') metrics.rejected.inc({ reason: 'timeout' });
        // The batcher gives each request the error of its own documents, documentIndex relative to it.
        throw documentsError(err);
      }
      recent.documents += prepared.length;
      return { documents: prepared.map((d, i) => toPredictionRecord(preds[i], { input: d, where: `documents[${i}]` })) };
    });
  },
  { name: 'spert-serve/routes/predict', fastify: '5.x', encapsulate: true, dependencies: ['spert-serve/predictor', 'spert-serve/summary'] },
);
