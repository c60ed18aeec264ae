// One worker thread of spert-serve --workers: its own onnxruntime session, opened on the first
// task, predicting the micro-batches the pool hands it.
import type { ModelMetadata, Prediction } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import { workerData } from 'node:worker_threads';
import type { PoolModel, PoolReply, PoolTask } from './pool-predictor';

let runtime: Promise<SpertOnnxRuntime> | undefined;

// Errors cross threads as plain data: structured cloning would drop the fields (a too-long
// document's word count) that the service turns into a 422.
function asReply(err: unknown): PoolReply {
  const e = err instanceof Error ? err : new Error(String(err));
  const fields: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(e)) if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') fields[k] = v;
  return { ok: false, error: { name: e.name, message: e.message, fields } };
}

/** Runs one task on this thread's runtime. */
export default async function run(task: PoolTask): Promise<PoolReply> {
  try {
    const model = workerData as PoolModel;
    runtime ??= SpertOnnxRuntime.load(model.dir, model.load);
    const rt = await runtime;
    const value: Prediction[] | ModelMetadata = task.kind === 'metadata' ? rt.metadata() : await rt.predict(task.inputs);
    return { ok: true, value };
  } catch (err) {
    return asReply(err);
  }
}
