import { SpertOnnxRuntime, type SpertOnnxLoadOptions } from '@spert/onnx';
import { buildApp, type ServeApp } from './app';
import type { BatchOptions, Predictor, ServeLimits } from './types';

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** Directory written by @spert/onnx's exportSpertOnnx (encoder.onnx, heads, config.json, vocab). */
  modelDir: string;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
  limits?: Partial<ServeLimits>;
  batch?: Partial<BatchOptions>;
  logger?: boolean;
  /** Documents longer than the encoder: 'window' (default), 'error' (422) or 'truncate'. */
  onTooLong?: SpertOnnxLoadOptions['onTooLong'];
  /** Loads the runtime (default SpertOnnxRuntime.load); injectable for tests of the wiring. */
  load?: (dir: string, options: SpertOnnxLoadOptions) => Promise<Predictor & { metadata(): { onnxruntimeVersion?: unknown } }>;
}

/** Loads an exported SpERT model into onnxruntime-node and builds the spert-serve app over it. */
export async function createServer(options: CreateServerOptions): Promise<ServeApp> {
  const load = options.load ?? ((dir: string, o: SpertOnnxLoadOptions) => SpertOnnxRuntime.load(dir, o));
  const runtime = await load(options.modelDir, {
    threads: options.threads,
    onTooLong: options.onTooLong,
    // One micro-batch becomes one runtime call; let the runtime size its encoder batches the same.
    batchSize: options.batch?.maxBatch,
  });
  const ortVersion = runtime.metadata().onnxruntimeVersion;
  try {
    return await buildApp({
      predictor: runtime,
      limits: options.limits,
      batch: options.batch,
      logger: options.logger,
      versions: typeof ortVersion === 'string' ? { onnxruntime: ortVersion } : {},
    });
  } catch (e) {
    await runtime.dispose?.();
    throw e;
  }
}
