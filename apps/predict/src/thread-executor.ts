import { createWorkerPool, type ChunkExecutor, type ChunkResult, type ChunkTask } from '@spert/batch';
import type { ModelOptions } from './model-options';

/** Options of {@link threadExecutor}. */
export interface ThreadExecutorOptions {
  /** Worker threads, each with its own onnxruntime session. */
  workers: number;
  model: ModelOptions;
  /** The worker module (dist/worker.cjs beside the CLI, or src/worker.ts under tsx). */
  workerFile: string;
}

/**
 * Runs chunks on a pool of worker threads, one chunk per thread at a time; every thread opens
 * the model once. A chunk runs as one predictor call as in-process, so the output is
 * byte-identical to one thread.
 */
export function threadExecutor(o: ThreadExecutorOptions): ChunkExecutor {
  const pool = createWorkerPool<ChunkTask, ChunkResult>({ workers: o.workers, workerFile: o.workerFile, workerData: o.model });
  return { concurrency: o.workers, run: (task) => pool.run(task), close: () => pool.close() };
}
