export { runDataCli } from './cli';
export { convertCommand, type ConvertOptions, type DataFormat } from './convert';
export { selectCommand, type SelectOptions } from './select';
