import { createWorkerPool } from '@spert/batch';
import { SpertError, type ModelMetadata, type Prediction, type PredictionInput, type Predictor, type SerializedSpertError } from '@spert/core';
import type { SpertOnnxLoadOptions } from '@spert/onnx';

/** How every worker thread opens the model: plain data (it crosses to the threads). */
export interface PoolModel {
  /** Directory written by spert-export. */
  dir: string;
  load: Omit<SpertOnnxLoadOptions, 'readFile'>;
}

/** A task of the pool's worker module (predict-worker.ts). */
export type PoolTask = { kind: 'predict'; inputs: PredictionInput[] } | { kind: 'metadata' };

/**
 * A worker's answer; an error as SpertError's plain data, `toSpertError(err).toJSON()`
 * (structured cloning keeps only an Error's name, message and stack, not its code or details).
 */
export type PoolReply = { ok: true; value: Prediction[] | ModelMetadata } | { ok: false; error: SerializedSpertError };

/** Options of {@link createPoolPredictor}. */
export interface PoolPredictorOptions {
  /** Worker threads, each with its own onnxruntime session (`load.threads` intra-op threads each). */
  workers: number;
  model: PoolModel;
  /** The worker module (src/predict-worker.ts under tsx, dist/predict-worker.cjs when built). */
  workerFile: string;
}

// A failed task's error is rebuilt with its code, message, details (documentIndex) and the worker's stack.
function unwrap(reply: PoolReply): Prediction[] | ModelMetadata {
  if (reply.ok) return reply.value;
  throw SpertError.fromJSON(reply.error);
}

/**
 * A Predictor over a pool of worker threads, each holding the exported model in its own
 * onnxruntime session: one predict call runs whole on one thread, so its output is what a single
 * runtime predicts, while calls made at once run in parallel. Resolves once a thread has loaded
 * the model (its metadata is the pool's).
 */
export async function createPoolPredictor(o: PoolPredictorOptions): Promise<Predictor> {
  const pool = createWorkerPool<PoolTask, PoolReply>({ workers: o.workers, workerFile: o.workerFile, workerData: o.model });
  let meta: ModelMetadata;
  try {
    meta = unwrap(await pool.run({ kind: 'metadata' })) as ModelMetadata;
  } catch (err) {
    await pool.close();
    throw err;
  }
  return {
    predict: async (inputs: readonly PredictionInput[]) => unwrap(await pool.run({ kind: 'predict', inputs: [...inputs] })) as Prediction[],
    metadata: () => meta,
    dispose: () => pool.close(),
  };
}
