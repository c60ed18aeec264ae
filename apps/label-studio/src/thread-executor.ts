import { createWorkerPool } from '@spert/batch';
import type { TrainExecutor } from './backend';
import type { TrainJob, TrainJobResult } from './train-job';

/** Runs training jobs on one worker thread (`workerFile`: train-worker, built or source), one at a time. */
export function threadTrainExecutor(workerFile: string): TrainExecutor {
  const pool = createWorkerPool<TrainJob, TrainJobResult>({ workers: 1, workerFile });
  return { description: 'a worker thread', run: (job) => pool.run(job), close: () => pool.close() };
}
