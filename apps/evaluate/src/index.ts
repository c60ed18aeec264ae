export { runEvalCli } from './cli';
export { evalCommand, predictCommand, type ModelOptions, type PredictionOutput } from './commands';
