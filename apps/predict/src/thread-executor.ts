import type { ChunkExecutor, ChunkResult, ChunkTask } from '@spert/batch';
import { Piscina } from 'piscina';
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
 * Runs chunks on a pool of worker threads (piscina), one chunk per thread at a time; every
 * thread opens the model once. A chunk runs as one predictor call as in-process, so the output
 * is byte-identical to one thread.
 */
export function threadExecutor(o: ThreadExecutorOptions): ChunkExecutor {
  const pool = new Piscina<ChunkTask, ChunkResult>({
    filename: o.workerFile,
    minThreads: o.workers,
    maxThreads: o.workers,
    concurrentTasksPerWorker: 1,
    // Threads above minThreads would end when idle; there are none, but never let a thread (and its model) go mid-run.
    idleTimeout: 3_600_000,
    workerData: o.model,
  });
  return {
    concurrency: o.workers,
    run: (task) => pool.run(task),
    close: () => pool.destroy(),
  };
}
