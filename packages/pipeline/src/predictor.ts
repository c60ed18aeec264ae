import type { ModelMetadata, PredictCallOptions, Prediction, PredictionInput, Predictor, SpertRuntime } from '@spert/core';
import { MicroBatcher, type BatchStats, type Timers } from './micro-batcher';
import { predictDocuments, type PipelineOptions } from './predict';
import type { PipelineTokenizer } from './tokenizer-contract';

/** Options of {@link createPredictor}. */
export interface CreatePredictorOptions extends PipelineOptions {
  runtime: SpertRuntime;
  tokenizer: PipelineTokenizer;
  /** What {@link Predictor.metadata} reports. */
  metadata: () => ModelMetadata;
  /** Frees the runtime (sessions, tensors). */
  dispose?: () => Promise<void> | void;
}

/** A {@link Predictor} over a runtime: every call goes through the one pipeline with these options. */
export function createPredictor(o: CreatePredictorOptions): Predictor {
  const { runtime, tokenizer, metadata, dispose, ...pipeline } = o;
  return {
    predict: (inputs: readonly PredictionInput[], call: PredictCallOptions = {}) => predictDocuments({ ...pipeline, ...call, runtime, tokenizer, inputs }),
    metadata,
    dispose,
  };
}

/** Options of {@link createBatchingPredictor}. */
export interface BatchingOptions {
  /** Most documents in one call of the wrapped predictor. */
  maxBatch: number;
  /** Longest time the first queued document waits for company. */
  maxWaitMs: number;
  /** Model calls at once (default 1); more for a predictor that spreads calls over threads. */
  concurrency?: number;
  timers?: Timers;
}

/** A {@link Predictor} that micro-batches concurrent calls, with its batcher's counters and drain. */
export interface BatchingPredictor extends Predictor {
  readonly stats: BatchStats;
  /** Documents queued or running. */
  readonly pending: number;
  /** Resolves once everything submitted so far has finished. */
  drain(): Promise<void>;
  /** Drains, then disposes the wrapped predictor. */
  dispose(): Promise<void>;
}

/**
 * Wraps a predictor so that documents of concurrent calls share model calls (up to `maxBatch`
 * documents, waiting at most `maxWaitMs`). A failing shared batch is re-run per caller, so one
 * bad request cannot fail its neighbours. Per-call progress callbacks are not forwarded.
 */
export function createBatchingPredictor(inner: Predictor, o: BatchingOptions): BatchingPredictor {
  const batcher = new MicroBatcher<PredictionInput, Prediction>({
    run: (items) => inner.predict(items),
    maxBatch: o.maxBatch,
    maxWaitMs: o.maxWaitMs,
    concurrency: o.concurrency,
    timers: o.timers,
  });
  return {
    predict: (inputs) => batcher.submit([...inputs]),
    metadata: () => inner.metadata(),
    dispose: async () => {
      await batcher.drain();
      await inner.dispose?.();
    },
    get stats() {
      return batcher.stats;
    },
    get pending() {
      return batcher.pending;
    },
    drain: () => batcher.drain(),
  };
}
