import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SpertOnnxRuntime, type SpertOnnxLoadOptions } from '@spert/onnx';
import { writeWebFolder } from '@spert/web';
import { buildApp, type BuildAppOptions, type ServeApp } from './app';
import { createPoolPredictor } from './pool-predictor';
import type { Predictor } from './types';

/** The runtime's load options the service passes through (threads, long documents and their windows). */
type RuntimeLoadOptions = Pick<SpertOnnxLoadOptions, 'threads' | 'onTooLong' | 'window' | 'stride' | 'windowUnit'>;

/**
 * Options of {@link createServer}: {@link BuildAppOptions}' settings (limits, batching, operations,
 * connections, logging), the runtime's load options, and what loading a model directory adds.
 * The predictor, warm-up documents, versions and browser folder are createServer's to make.
 */
export interface CreateServerOptions extends Omit<BuildAppOptions, 'predictor' | 'warmup' | 'timers' | 'now' | 'versions' | 'webDir' | 'onClosed'>, RuntimeLoadOptions {
  /** Directory written by @spert/onnx's exportSpertOnnx (encoder.onnx, heads, config.json, vocab). */
  modelDir: string;
  /**
   * Worker threads, each with its own session, predicting micro-batches in parallel (default 1:
   * one session in this thread). More than 1 needs `workerFile`.
   */
  workers?: number;
  /** The worker module for `workers` > 1 (main.ts passes predict-worker beside it). */
  workerFile?: string;
  /** Warm the model up before `/health/ready` answers 200 (default true). */
  warmup?: boolean;
  /**
   * Also serve the browser build (@spert/web) with this model's files under /web/, so the page can
   * "run in this browser" beside the service (default false); `bundleDir`: a built bundle to use.
   */
  browser?: boolean | { bundleDir?: string };
  /** Loads the runtime (default SpertOnnxRuntime.load); injectable for tests of the wiring. */
  load?: (dir: string, options: SpertOnnxLoadOptions) => Promise<Predictor & { metadata(): { onnxruntimeVersion?: unknown } }>;
}

/** Loads an exported SpERT model into onnxruntime-node and builds the spert-serve app over it (ready once warmed up). */
export async function createServer(options: CreateServerOptions): Promise<ServeApp> {
  const loadStarted = Date.now();
  const workers = options.workers ?? 1;
  if (!(Number.isInteger(workers) && workers >= 1)) throw new Error(`workers: expected an integer >= 1, got ${workers}`);
  const loadOptions: SpertOnnxLoadOptions = {
    threads: options.threads,
    onTooLong: options.onTooLong,
    window: options.window,
    stride: options.stride,
    windowUnit: options.windowUnit,
    // One micro-batch becomes one runtime call; let the runtime size its encoder batches the same.
    batchSize: options.batch?.maxBatch,
  };
  let runtime: Predictor & { metadata(): { onnxruntimeVersion?: unknown } };
  if (workers > 1) {
    if (!options.workerFile) throw new Error('workers: worker threads need the worker module (run the spert-serve executable, or pass workerFile)');
    runtime = await createPoolPredictor({ workers, workerFile: options.workerFile, model: { dir: options.modelDir, load: loadOptions } });
  } else {
    const load = options.load ?? ((dir: string, o: SpertOnnxLoadOptions) => SpertOnnxRuntime.load(dir, o));
    runtime = await load(options.modelDir, loadOptions);
  }
  const ortVersion = runtime.metadata().onnxruntimeVersion;
  let webDir: string | undefined;
  try {
    if (options.browser) {
      // Written once at start-up from the same exported files the service runs; removed on close.
      webDir = await mkdtemp(path.join(tmpdir(), 'spert-serve-web-'));
      const bundleDir = typeof options.browser === 'object' ? options.browser.bundleDir : undefined;
      await writeWebFolder({ modelDir: options.modelDir, outDir: webDir, bundleDir, backends: ['wasm'] });
    }
    const serve = await buildApp({
      predictor: runtime,
      limits: options.limits,
      batch: { ...options.batch, concurrency: workers },
      logger: options.logger,
      logLevel: options.logLevel,
      logStream: options.logStream,
      operations: options.operations,
      connections: options.connections,
      warmup: options.warmup ?? true,
      versions: typeof ortVersion === 'string' ? { onnxruntime: ortVersion } : {},
      webDir,
      onClosed: webDir ? () => rm(webDir as string, { recursive: true, force: true }) : undefined,
    });
    const meta = runtime.metadata();
    serve.app.log.info({ model: options.modelDir, entityTypes: meta.entityTypes.length, relationTypes: meta.relationTypes.length, workers, ms: Date.now() - loadStarted }, 'model loaded');
    return serve;
  } catch (e) {
    await runtime.dispose?.();
    if (webDir) await rm(webDir, { recursive: true, force: true });
    throw e;
  }
}
