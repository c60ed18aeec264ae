export { buildApp, type BuildAppOptions, type ServeApp } from './app';
export { HttpError } from './http-error';
export { MicroBatcher, type BatchStats, type MicroBatcherOptions, type Timers } from './micro-batcher';
export { renderPage } from './page';
export { prepareDocuments, type PreparedDocument } from './prepare-documents';
export { installGracefulShutdown, type GracefulShutdownOptions, type SignalSource } from './shutdown';
export { toResponseDocument } from './to-response';
export * from './types';
export { splitWords, type TextWord } from './words';
