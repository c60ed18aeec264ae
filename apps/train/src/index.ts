export { parseTrainArgs } from './cli';
export { runTraining, type TrainingRun } from './run-training';
export { TrainConfigSchema, QUICKSTART, resolveConfig, readConfigFile, type TrainConfig } from './options';
export { parseExperimentArgs, type ExperimentOptions } from './experiment/args';
export { runExperiment } from './experiment/runner';
export { formatTables } from './experiment/tables';
export { ABLATION_VARIANTS, EXPERIMENTS, type AblationVariant, type ExperimentName } from './experiment/definitions';
