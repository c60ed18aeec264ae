import fp from 'fastify-plugin';
import { toPredictionRecord, type Prediction, type PredictionInput } from '@spert/core';
import { splitWords } from '@spert/tokenizer';
import { HttpError } from '@spert/http';
import { prepareDocuments } from '../prepare-documents';
import { predictSchema } from '../schemas';
import type { OperationsOptions, PredictRequest, PredictResponse, ServeLimits } from '../types';

/**
 * The tokenizer's SequenceTooLongError (matched by shape, the runtime's tokenizer is not our
 * dependency) is the client's input, not a server fault: answer 422 naming the document if we can.
 */
function tooLongAsHttpError(err: unknown, wordCounts: number[]): HttpError | undefined {
  if (!(err instanceof Error) || err.name !== 'SequenceTooLongError') return undefined;
  const e = err as Error & { wordCount?: unknown; wordpieceLength?: unknown; maxLength?: unknown };
  if (typeof e.wordCount !== 'number' || typeof e.wordpieceLength !== 'number' || typeof e.maxLength !== 'number') return undefined;
  const matches = wordCounts.flatMap((n, i) => (n === e.wordCount ? [i] : []));
  const where = matches.length === 1 ? `documents[${matches[0]}]` : 'a document';
  return new HttpError(
    422,
    'DOCUMENT_TOO_LONG',
    `${where}: ${e.wordCount} words give ${e.wordpieceLength} wordpieces, the model takes at most ${e.maxLength}; split the document`,
  );
}

// Word counts of the request's documents, to name the too-long one (error path only).
function wordCounts(docs: readonly PredictionInput[]): number[] {
  return docs.map((d) => (d.kind === 'tokens' ? d.tokens.length : splitWords(d.text).length));
}

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
        throw tooLongAsHttpError(err, wordCounts(prepared)) ?? err;
      }
      recent.documents += prepared.length;
      return { documents: prepared.map((d, i) => toPredictionRecord(preds[i], { input: d, where: `documents[${i}]` })) };
    });
  },
  { name: 'spert-serve/routes/predict', fastify: '5.x', encapsulate: true, dependencies: ['spert-serve/predictor', 'spert-serve/summary'] },
);
