export { parsePredictArgs, runPredict, createExecutor, type PredictCliOptions, type RunPredictOptions } from './cli';
export { threadExecutor, type ThreadExecutorOptions } from './thread-executor';
export { createBatchBar, type BatchBar } from './progress';
export { loadOptions, type ModelOptions } from './model-options';
export { queueExecutor, listChunks, DEFAULT_QUEUE_NAME, DEFAULT_QUEUE_CHECK_MS, type ChunkJobData, type QueueExecutorOptions } from './queue';
export { parseWorkerArgs, runWorker, DEFAULT_SHUTDOWN_TIMEOUT_MS, type RunningWorker, type RunWorkerOptions, type WorkerCliOptions, type WorkerSignals } from './worker-cli';
