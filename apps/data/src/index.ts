export { runDataCli } from './cli';
export { convertCommand, type ConvertOptions, type DataFormat } from './convert';
export { prepareCorpus, manifestPath, normalizeDocument, countWords, type PrepareCorpusOptions, type CorpusManifest, type CorpusPart } from './corpus/prepare';
export { CORPUS_SOURCES, CORPUS_SOURCE_INFO, type CorpusSourceName, type CorpusSourceInfo, type CorpusInput, type SourcePackage, type SourceRead } from './corpus/sources';
export { selectCommand, type SelectOptions } from './select';
