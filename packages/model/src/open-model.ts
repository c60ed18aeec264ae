import type { TypesSchema } from '@spert/core';
import { encoderMaxLength, loadCheckpoint, resolveModelDir } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { loadTokenizer } from '@spert/tokenizer';
import { SPERT_DEFAULTS, type SpertSettings, SpertError } from '@spert/core';
import { readModelSettings, SpertModel } from './spert-model';

/** Options of {@link openModel}. */
export interface OpenModelOptions {
  /** A local directory or a Hugging Face Hub id (downloaded into the cache when online). */
  id: string;
  /** Types of the task (required for a plain BERT checkpoint or a reference SpERT directory). */
  types?: TypesSchema;
  /** SpERT settings for new heads (ignored when the directory already is a SpERT model). */
  settings?: Partial<Omit<SpertSettings, 'types'>>;
  lowercase?: boolean;
  seed?: number;
  /** Passed to the Hub client: cache folder and offline mode. */
  cacheDir?: string;
  offline?: boolean;
  /** Load weights holding NaN or infinite values instead of refusing them (default false). */
  allowNonFinite?: boolean;
}

/**
 * Opens what a user points at: a SpERT model directory (ours or the reference's) loads whole;
 * a plain BERT-family checkpoint (bert-base-cased, SciBERT, BioBERT...) becomes the encoder of a
 * new model with freshly initialised heads.
 */
export async function openModel(o: OpenModelOptions): Promise<SpertModel> {
  const dir = await resolveModelDir({ id: o.id, cacheDir: o.cacheDir, offline: o.offline });
  const checkpoint = await loadCheckpoint({ dir, allowNonFinite: o.allowNonFinite });
  if (checkpoint.extraTensors.has('entity_classifier.weight')) {
    return SpertModel.fromCheckpoint(checkpoint, await readModelSettings(dir, o.types), { dir, lowercase: o.lowercase, seed: o.seed });
  }
  if (!o.types) throw new SpertError('INVALID_OPTION', `${dir}: a plain encoder checkpoint needs the task's types file to build the SpERT heads`);
  const { tokenizer } = await loadTokenizer({ dir, lowercase: o.lowercase, encoderMaxLength: encoderMaxLength(checkpoint.config) });
  const encoder = createEncoder({ config: checkpoint.config, tensors: checkpoint.encoderTensors, seed: o.seed });
  return SpertModel.create({ encoder, tokenizer, settings: { ...SPERT_DEFAULTS, ...o.settings, types: o.types }, seed: o.seed });
}
