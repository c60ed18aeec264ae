import { z } from 'zod';
import { encoderFields, resolveLayers, runFields } from '../shared-settings';
import { SpertError } from '@spert/core';

/**
 * Every setting of a pre-training run; flags and the JSON config file use these names. Sizes,
 * `out`, `seed`, `lr`, `epochs`, `family` mean what they mean for spert-train; the defaults of the
 * masking and the packing are BERT's and RoBERTa's (15%, 80/10/10, whole words, 128 subwords).
 */
export const PretrainConfigSchema = z
  .object({
    corpus: z.array(z.string()).min(1, 'name at least one corpus file or directory (--corpus)'),
    validationCorpus: z.array(z.string()).optional(),
    validationFraction: z.number().min(0).max(0.5).default(0.01),
    textMode: z.enum(['line', 'paragraph']).default('line'),
    textField: z.string().default('text'),
    ...encoderFields({ hiddenSize: 256, layers: 4, heads: 4, intermediateSize: 1024 }),
    maxPositions: z.number().int().positive().default(512),
    maxLength: z.number().int().min(8).default(128),
    maskProbability: z.number().gt(0).lt(1).default(0.15),
    wholeWord: z.boolean().default(true),
    epochs: z.number().int().positive().default(1),
    maxSteps: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().default(32),
    accumulate: z.number().int().positive().default(1),
    // Measured here (docs/results.md, Pre-training): 1e-3 with a 6% warmup collapsed a 128x2 BERT, 2e-4 with 10% did not.
    lr: z.number().positive().default(2e-4),
    lrWarmup: z.number().min(0).max(1).default(0.1),
    weightDecay: z.number().min(0).default(0.01),
    maxGradNorm: z.number().positive().default(1),
    checkpointEvery: z.number().int().positive().default(500),
    // Unset: validate at every checkpoint, so that one long epoch still draws a validation curve.
    evalEvery: z.number().int().min(0).optional(),
    seed: z.number().int().default(1),
    ...runFields('runs/pretrain'),
  })
  .strict();

/** A validated pre-training configuration. */
export type PretrainConfig = z.infer<typeof PretrainConfigSchema>;

/**
 * Merges config file < flags and validates, listing every bad field; `source` (the config file)
 * prefixes the message when the settings came from one.
 */
export function resolvePretrainConfig(layers: Array<Record<string, unknown> | undefined>, source?: string): PretrainConfig {
  const { config: c, merged, where } = resolveLayers(PretrainConfigSchema, layers, 'pre-training configuration', source);
  if (c.validationCorpus && merged.validationFraction !== undefined) throw new SpertError('INVALID_OPTION', `${where}--validation-corpus and --validation-fraction both say where the validation text comes from: give one`);
  if (c.hiddenSize % c.heads !== 0) throw new SpertError('INVALID_OPTION', `${where}hidden size ${c.hiddenSize} is not a multiple of the ${c.heads} attention heads`);
  return c;
}
