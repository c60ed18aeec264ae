import type { SpertOnnxLoadOptions } from '@spert/onnx';

/** How each worker opens the model: plain data, so it crosses to worker threads and queue workers. */
export interface ModelOptions {
  /** Directory written by spert-export. */
  dir: string;
  /** onnxruntime intra-op threads of each session. */
  intraOpThreads: number;
  /** Documents per encoder call (default the runtime's). */
  batchSize?: number;
  /** Documents longer than the encoder (default 'window'). */
  onTooLong?: SpertOnnxLoadOptions['onTooLong'];
}

/** The load options of SpertOnnxRuntime for these model options. */
export function loadOptions(m: ModelOptions): SpertOnnxLoadOptions {
  return { threads: m.intraOpThreads, batchSize: m.batchSize, onTooLong: m.onTooLong };
}

/** onnxruntime intra-op threads of each of `sessions` sessions: as given, else the machine's cores shared among them (at least 1). */
export function intraOpThreadsFor(given: number | undefined, cores: number, sessions: number): number {
  return given ?? Math.max(1, Math.floor(cores / sessions));
}
