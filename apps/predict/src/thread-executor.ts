import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
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
    ...typescriptWorker(o.workerFile),
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

/**
 * A TypeScript worker module needs tsx in its thread. Under `tsx main.ts` the threads inherit the
 * loader through execArgv; through the bin shim tsx is registered in the main thread only, so the
 * threads get it, with the app's tsconfig (its paths map @spert/* to the packages' sources).
 */
function typescriptWorker(workerFile: string): { execArgv?: string[]; env?: Record<string, string> } {
  if (!workerFile.endsWith('.ts') || process.execArgv.some((a) => a.includes('tsx'))) return {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.TSX_TSCONFIG_PATH = path.join(path.dirname(workerFile), '..', 'tsconfig.json');
  // Resolved from the worker module, not the working directory the user started in.
  const loader = pathToFileURL(createRequire(workerFile).resolve('tsx')).href;
  return { execArgv: [...process.execArgv, '--import', loader], env };
}
