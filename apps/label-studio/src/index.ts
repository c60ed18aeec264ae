export { buildLabelStudioApp, type LabelStudioAppOptions } from './app';
export { LabelStudioBackend, type LabelStudioBackendOptions, type TrainExecutor, type TrainingReport } from './backend';
export { parseLabelStudioArgs, runLabelStudio, type LabelStudioCliOptions, type RunLabelStudioOptions } from './cli';
export { TrainingScheduler, type ScheduleOutcome, type SchedulerTimers, type TrainingSchedulerOptions } from './scheduler';
export { modelVersionOf, ServingModel } from './serving-model';
export { threadTrainExecutor } from './thread-executor';
export { notWorse, runTrainJob, type HeldOutScores, type TrainJob, type TrainJobResult, type TrainStart } from './train-job';
export { DEFAULT_TRAIN_QUEUE, queueTrainExecutor, startTrainWorker, type RunningTrainWorker } from './queue';
export { parseTrainWorkerArgs, runTrainWorker, type TrainWorkerCliOptions } from './worker-cli';
