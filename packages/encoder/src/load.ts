// One-call loading of an encoder from a directory or Hub id.
import { BertEncoder } from './bert-encoder';
import { loadCheckpoint, type Checkpoint } from './checkpoint';
import { resolveModelDir, type ResolveModelOptions } from './hub';

/** Options of loadBertEncoder: where to find the model, plus the encoder's dropout seed. */
export interface LoadBertEncoderOptions extends ResolveModelOptions {
  seed?: number;
}

/** Resolves `id` (directory or Hub id), reads the checkpoint and builds its encoder; extra tensors stay in `checkpoint`. */
export async function loadBertEncoder(options: LoadBertEncoderOptions): Promise<{ encoder: BertEncoder; checkpoint: Checkpoint }> {
  const dir = await resolveModelDir(options);
  const checkpoint = await loadCheckpoint({ dir, fs: options.fs });
  const encoder = BertEncoder.fromTensors(checkpoint.config, checkpoint.encoderTensors, { seed: options.seed });
  return { encoder, checkpoint };
}
