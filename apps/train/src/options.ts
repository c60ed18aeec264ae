import { readFileSync } from 'node:fs';
import { assertDatasetName, parseJson } from '@spert/core';
import { z } from 'zod';

/** Every setting of a training run; flags and the JSON config file use these names. */
export const TrainConfigSchema = z
  .object({
    dataset: z.string().default('conll04'),
    train: z.string().optional(),
    valid: z.string().optional(),
    types: z.string().optional(),
    encoder: z.string().optional(),
    hiddenSize: z.number().int().positive().default(128),
    layers: z.number().int().positive().default(2),
    heads: z.number().int().positive().default(2),
    intermediateSize: z.number().int().positive().default(512),
    maxVocab: z.number().int().positive().default(30000),
    lowercase: z.boolean().optional(),
    epochs: z.number().int().positive().default(20),
    batchSize: z.number().int().positive().default(2),
    evalBatchSize: z.number().int().positive().default(8),
    lr: z.number().positive().default(5e-5),
    lrWarmup: z.number().min(0).max(1).default(0.1),
    weightDecay: z.number().min(0).default(0.01),
    maxGradNorm: z.number().positive().default(1.0),
    negEntityCount: z.number().int().min(0).default(100),
    negRelationCount: z.number().int().min(0).default(100),
    maxSpanSize: z.number().int().min(1).max(99).default(10),
    sizeEmbedding: z.number().int().positive().default(25),
    propDrop: z.number().min(0).max(0.99).default(0.1),
    relFilterThreshold: z.number().min(0).max(1).default(0.4),
    maxPairs: z.number().int().positive().default(1000),
    freezeEncoder: z.boolean().default(false),
    evalEveryEpoch: z.boolean().default(false),
    noOverlapping: z.boolean().default(false),
    limitTrain: z.number().int().positive().optional(),
    seed: z.number().int().default(1),
    backend: z.enum(['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    out: z.string().default('runs/spert'),
    resume: z.boolean().default(false),
    lenient: z.boolean().default(false),
    verbose: z.boolean().default(false),
    progress: z.boolean().optional(),
    progressEvery: z.number().int().positive().optional(),
  })
  .strict();

/** A validated training configuration. */
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/** The built-in default of `npm start`: a small encoder trained from scratch on CoNLL04 train, evaluated on test. */
export const QUICKSTART: Partial<TrainConfig> = {
  dataset: 'conll04',
  hiddenSize: 128,
  layers: 2,
  heads: 2,
  intermediateSize: 512,
  epochs: 3,
  batchSize: 2,
  lr: 5e-4,
  out: 'runs/quickstart',
};

/** Reads a JSON config file, naming the file in errors. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read the config file: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const json = parseJson(text, file, 'training config');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${file}: the config file must be a JSON object`);
  return json as Record<string, unknown>;
}

/**
 * Merges defaults < preset < config file < flags and validates, listing every bad field;
 * `source` (the config file) prefixes the message when the settings came from one.
 */
export function resolveConfig(layers: Array<Record<string, unknown> | undefined>, source?: string): TrainConfig {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer ?? {})) if (v !== undefined) merged[k] = v;
  const parsed = TrainConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source ? `${source}: ` : ''}invalid training configuration:\n${lines.join('\n')}`);
  }
  // The named dataset only matters when one of the three files is left to it.
  if (!(parsed.data.train && parsed.data.valid && parsed.data.types)) assertDatasetName(parsed.data.dataset);
  return parsed.data;
}
