export { parseTrainArgs } from './cli';
export { runTraining, type TrainingRun } from './run-training';
export { TrainConfigSchema, QUICKSTART, resolveConfig, readConfigFile, type TrainConfig } from './options';
