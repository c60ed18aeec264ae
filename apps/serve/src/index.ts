export { buildApp, type BuildAppOptions, type ServeApp } from './app';
export { HttpError } from './http-error';
export { renderPage } from './page';
export { prepareDocuments } from './prepare-documents';
export { installGracefulShutdown, type GracefulShutdownOptions, type SignalSource } from './shutdown';
export { toResponseDocument } from './to-response';
export * from './types';
export { createServer, type CreateServerOptions } from './create-server';
export { parseServeArgs, runServe, serverOptionsFromCli, type RunServeOptions, type ServeCliOptions } from './cli';
