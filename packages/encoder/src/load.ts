// One-call loading of an encoder from a directory or Hub id.
import { loadCheckpoint, resolveModelDir, type Checkpoint, type ResolveModelOptions } from '@spert/checkpoint';
import type { Encoder } from './family';
import { createEncoder } from './registry';

/** Options of loadEncoder: where to find the model, plus the encoder's dropout seed. */
export interface LoadEncoderOptions extends ResolveModelOptions {
  seed?: number;
}

/** Resolves `id` (directory or Hub id), reads the checkpoint and builds the encoder of its family; extra tensors stay in `checkpoint`. */
export async function loadEncoder(options: LoadEncoderOptions): Promise<{ encoder: Encoder; checkpoint: Checkpoint }> {
  const dir = await resolveModelDir(options);
  const checkpoint = await loadCheckpoint({ dir, fs: options.fs });
  const encoder = createEncoder({ config: checkpoint.config, tensors: checkpoint.encoderTensors, seed: options.seed });
  return { encoder, checkpoint };
}

/** The former name of loadEncoder (BERT was the only family). */
export const loadBertEncoder = loadEncoder;
/** The former name of LoadEncoderOptions. */
export type LoadBertEncoderOptions = LoadEncoderOptions;
