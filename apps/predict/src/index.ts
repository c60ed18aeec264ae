export { parsePredictArgs, runPredict, createExecutor, type PredictCliOptions, type RunPredictOptions } from './cli';
export { threadExecutor, type ThreadExecutorOptions } from './thread-executor';
export { createBatchBar, type BatchBar } from './progress';
export { loadOptions, type ModelOptions } from './model-options';
export { queueExecutor, redisConnection, DEFAULT_QUEUE_NAME, type ChunkJobData, type QueueExecutorOptions } from './queue';
export { parseWorkerArgs, runWorker, type RunningWorker, type WorkerCliOptions, type WorkerSignals } from './worker-cli';
