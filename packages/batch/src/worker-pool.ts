import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { SpertError } from '@spert/core';

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Worker threads; each keeps its own state (e.g. an onnxruntime session) for the pool's life. */
  workers: number;
  /** The worker module: its default export handles one task (a .ts file needs tsx, see below). */
  workerFile: string;
  /** Structured-cloneable data every thread reads as `workerData` (e.g. how to open the model). */
  workerData?: unknown;
}

/** A fixed pool of worker threads, one task per thread at a time. */
export interface WorkerPool<T, R> {
  /** Number of threads. */
  readonly size: number;
  /** Runs one task on the next free thread. */
  run(task: T): Promise<R>;
  /** Ends every thread (after their running tasks). */
  close(): Promise<void>;
}

/**
 * Starts a pool of worker threads (piscina) of fixed size: threads never end while idle, so
 * whatever a thread loaded once (a model) stays loaded for the pool's life.
 */
export function createWorkerPool<T, R>(o: WorkerPoolOptions): WorkerPool<T, R> {
  if (!(Number.isInteger(o.workers) && o.workers >= 1)) throw new SpertError('INVALID_OPTION', `worker pool: workers must be an integer >= 1, got ${o.workers}`);
  const pool = new Piscina<T, R>({
    filename: o.workerFile,
    ...typescriptWorker(o.workerFile),
    minThreads: o.workers,
    maxThreads: o.workers,
    concurrentTasksPerWorker: 1,
    // Threads above minThreads would end when idle; there are none, but never let a thread (and its model) go mid-run.
    idleTimeout: 3_600_000,
    workerData: o.workerData,
  });
  return {
    size: o.workers,
    run: (task) => pool.run(task),
    close: () => pool.destroy(),
  };
}

/**
 * A TypeScript worker module needs tsx in its thread. Under `tsx main.ts` the threads inherit the
 * loader through execArgv; through a bin shim tsx is registered in the main thread only, so the
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

/**
 * The worker module `name` of the app whose entry point is running (`entryFile`, default
 * process.argv[1]): beside it with the same extension (dist/NAME.cjs when built, src/NAME.ts under
 * tsx). Through an app's bin shim the entry is bin/*.js: the module is then picked as the shim
 * picks its entry (the source in a clone, else the build).
 */
export function workerModuleBeside(name: string, entryFile: string = process.argv[1] as string): string {
  const self = realpathSync(entryFile);
  const dir = path.dirname(self);
  if (path.basename(dir) !== 'bin') return path.join(dir, `${name}${path.extname(self)}`);
  const source = path.join(dir, '..', 'src', `${name}.ts`);
  return existsSync(source) ? source : path.join(dir, '..', 'dist', `${name}.cjs`);
}
