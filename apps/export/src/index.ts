export { parseExportArgs, runExport, type ExportCliOptions } from './cli';
