// readLines moved to @spert/core (the corpus reader of @spert/corpus streams lines too); re-exported for this package's users.
export { readLines, type InputLine, type ReadLinesOptions } from '@spert/core';
export { parseLine, formatFromPath, isLineError, type BatchDocument, type DocumentSettings, type InputFormat, type LineError } from './parse-line';
export { predictChunk, type ChunkTask, type ChunkResult } from './predict-chunk';
export { ChunkStore, inputIdentity, type BatchManifest } from './chunk-store';
export { runBatch, type ChunkExecutor, type BatchProgress, type BatchSummary, type RunBatchOptions } from './run-batch';
export { inProcessExecutor } from './in-process-executor';
export { createWorkerPool, workerModuleBeside, type WorkerPool, type WorkerPoolOptions } from './worker-pool';
export { RedisWatch, isNetworkError, displayUrl, reconnectDelay, DEFAULT_OUTAGE_REPORT_MS, type QueueClient, type RedisWatchOptions } from './redis-watch';
export { redisConnection, type RedisConnectionOptions } from './redis-connection';
