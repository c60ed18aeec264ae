export { buildApp, type BuildAppOptions, type ServeApp } from './app';
export { HttpError } from '@spert/http';
export { renderPage } from './page';
export { prepareDocuments } from './prepare-documents';
export { installGracefulShutdown, type GracefulShutdownOptions, type SignalSource } from '@spert/http';
export * from './types';
export { createServer, type CreateServerOptions } from './create-server';
export { parseServeArgs, runServe, serverOptionsFromCli, type RunServeOptions, type ServeCliOptions } from './cli';
export { createPoolPredictor, type PoolModel, type PoolPredictorOptions } from './pool-predictor';
