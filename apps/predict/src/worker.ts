// One piscina worker thread: its own onnxruntime session (intra-op threads as configured),
// opened on the first chunk, running chunks through @spert/batch's predictChunk.
import { predictChunk, type ChunkResult, type ChunkTask } from '@spert/batch';
import type { Predictor } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import { workerData } from 'node:worker_threads';
import { loadOptions, type ModelOptions } from './model-options';

let predictor: Promise<Predictor> | undefined;

/** Predicts one chunk on this thread's runtime. */
export default async function runChunk(task: ChunkTask): Promise<ChunkResult> {
  const model = workerData as ModelOptions;
  predictor ??= SpertOnnxRuntime.load(model.dir, loadOptions(model));
  return predictChunk(await predictor, task);
}
