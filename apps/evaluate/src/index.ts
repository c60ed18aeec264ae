export { runEvalCli } from './cli';
export { evalCommand, predictCommand, type ModelOptions } from './commands';
