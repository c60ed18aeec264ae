import { SCRATCH_FAMILIES } from '@spert/model';
import { z } from 'zod';
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
    encoder: z.string().optional(),
    family: z.enum(SCRATCH_FAMILIES).optional(),
    hiddenSize: z.number().int().positive().default(256),
    layers: z.number().int().positive().default(4),
    heads: z.number().int().positive().default(4),
    intermediateSize: z.number().int().positive().default(1024),
    maxVocab: z.number().int().positive().default(30000),
    maxPositions: z.number().int().positive().default(512),
    lowercase: z.boolean().optional(),
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
    seed: z.number().int().default(1),
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    out: z.string().default('runs/pretrain'),
    resume: z.boolean().default(false),
    verbose: z.boolean().default(false),
    progress: z.boolean().optional(),
    progressEvery: z.number().int().positive().optional(),
  })
  .strict();

/** A validated pre-training configuration. */
export type PretrainConfig = z.infer<typeof PretrainConfigSchema>;

/**
 * Merges config file < flags and validates, listing every bad field; `source` (the config file)
 * prefixes the message when the settings came from one.
 */
export function resolvePretrainConfig(layers: Array<Record<string, unknown> | undefined>, source?: string): PretrainConfig {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) merged[k] = v;
  const parsed = PretrainConfigSchema.safeParse(merged);
  const where = source ? `${source}: ` : '';
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SpertError('INVALID_OPTION', `${where}invalid pre-training configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.family !== undefined && c.encoder !== undefined) throw new SpertError('INVALID_OPTION', `${where}family "${c.family}" is for encoders built from scratch; the checkpoint ${c.encoder} has its own family (drop --family or --encoder)`);
  if (c.validationCorpus && merged.validationFraction !== undefined) throw new SpertError('INVALID_OPTION', `${where}--validation-corpus and --validation-fraction both say where the validation text comes from: give one`);
  if (c.hiddenSize % c.heads !== 0) throw new SpertError('INVALID_OPTION', `${where}hidden size ${c.hiddenSize} is not a multiple of the ${c.heads} attention heads`);
  return c;
}
