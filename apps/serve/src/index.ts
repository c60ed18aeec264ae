export { buildApp, type BuildAppOptions, type ServeApp } from './app';
export type { LogSettings, ServeSettings, ServeSettingsInput } from './settings';
export { HttpError } from '@spert/http';
export { prepareDocuments } from './prepare-documents';
export { installGracefulShutdown, type GracefulShutdownOptions, type SignalSource } from '@spert/http';
export * from './types';
export { createServer, type CreateServerOptions } from './create-server';
export { parseServeArgs, runServe, serverOptionsFromCli, type RunServeOptions, type ServeCliOptions } from './cli';
export { createPoolPredictor, type PoolModel, type PoolPredictorOptions } from './pool-predictor';
