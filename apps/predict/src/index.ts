export { parsePredictArgs, runPredict, createExecutor, type PredictCliOptions, type RunPredictOptions } from './cli';
export { threadExecutor, type ThreadExecutorOptions } from './thread-executor';
export { createBatchBar, type BatchBar } from './progress';
export { loadOptions, type ModelOptions } from './model-options';
