import type { Predictor } from '@spert/core';
import { predictChunk, type ChunkTask } from './predict-chunk';
import type { ChunkExecutor } from './run-batch';

/** Runs chunks one at a time on a predictor in this process (the reference every other executor must match byte for byte). */
export function inProcessExecutor(predictor: Predictor): ChunkExecutor {
  return {
    concurrency: 1,
    run: (task: ChunkTask) => predictChunk(predictor, task),
    close: async () => {
      await predictor.dispose?.();
    },
  };
}
