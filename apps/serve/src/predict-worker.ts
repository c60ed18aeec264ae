// One worker thread of spert-serve --workers: its own onnxruntime session, opened on the first
// task, predicting the micro-batches the pool hands it.
import { toSpertError, type ModelMetadata, type Prediction } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import { workerData } from 'node:worker_threads';
import type { PoolModel, PoolReply, PoolTask } from './pool-predictor';

let runtime: Promise<SpertOnnxRuntime> | undefined;

/** Runs one task on this thread's runtime. */
export default async function run(task: PoolTask): Promise<PoolReply> {
  try {
    const model = workerData as PoolModel;
    runtime ??= SpertOnnxRuntime.load(model.dir, model.load);
    const rt = await runtime;
    const value: Prediction[] | ModelMetadata = task.kind === 'metadata' ? rt.metadata() : await rt.predict(task.inputs);
    return { ok: true, value };
  } catch (err) {
    // As data: the main thread rebuilds the SpertError (code, details, documentIndex) from it.
    return { ok: false, error: toSpertError(err).toJSON() };
  }
}
