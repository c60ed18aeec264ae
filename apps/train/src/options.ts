import { readFileSync } from 'node:fs';
import { assertDatasetName, parseJson, SETTING_CHOICES, SpertError } from '@spert/core';
import { SPERT_DEFAULTS } from '@spert/core';
import { PIPELINE_DEFAULTS } from '@spert/pipeline';
import { SPERT_TRAINING_DEFAULTS as T } from '@spert/trainer';
import { z } from 'zod';
import { encoderFields, resolveLayers, runFields } from './shared-settings';

/**
 * Every setting of a training run; flags and the JSON config file use these names. The defaults
 * are the reference's, read from where they live once: @spert/trainer (training), @spert/core
 * (model settings), @spert/pipeline (inference batch size).
 */
export const TrainConfigSchema = z
  .object({
    dataset: z.string().default('conll04'),
    train: z.string().optional(),
    valid: z.string().optional(),
    types: z.string().optional(),
    ...encoderFields({ hiddenSize: 128, layers: 2, heads: 2, intermediateSize: 512 }),
    epochs: z.number().int().positive().default(T.epochs),
    batchSize: z.number().int().positive().default(T.batchSize),
    evalBatchSize: z.number().int().positive().default(PIPELINE_DEFAULTS.batchSize),
    lr: z.number().positive().default(T.lr),
    lrWarmup: z.number().min(0).max(1).default(T.lrWarmup),
    weightDecay: z.number().min(0).default(T.weightDecay),
    maxGradNorm: z.number().positive().default(T.maxGradNorm),
    negEntityCount: z.number().int().min(0).default(T.negEntityCount),
    negRelationCount: z.number().int().min(0).default(T.negRelationCount),
    maxSpanSize: z.number().int().min(1).max(99).default(SPERT_DEFAULTS.maxSpanSize),
    sizeEmbedding: z.number().int().positive().default(SPERT_DEFAULTS.sizeEmbedding),
    propDrop: z.number().min(0).max(0.99).default(SPERT_DEFAULTS.propDrop),
    relFilterThreshold: z.number().min(0).max(1).default(SPERT_DEFAULTS.relFilterThreshold),
    maxPairs: z.number().int().positive().default(SPERT_DEFAULTS.maxPairs),
    relationNegatives: z.enum(SETTING_CHOICES.relationNegatives).default(SPERT_DEFAULTS.relationNegatives),
    relationContext: z.enum(SETTING_CHOICES.relationContext).default(SPERT_DEFAULTS.relationContext),
    spanPooling: z.enum(SETTING_CHOICES.spanPooling).default(SPERT_DEFAULTS.spanPooling),
    relationEntityTypes: z.enum(SETTING_CHOICES.relationEntityTypes).default(SPERT_DEFAULTS.relationEntityTypes),
    typeEmbeddingSize: z.number().int().positive().default(SPERT_DEFAULTS.typeEmbedding),
    relationTypeConstraints: z.enum(SETTING_CHOICES.relationTypeConstraints).default(SPERT_DEFAULTS.relationTypeConstraints),
    tuneThresholds: z.boolean().default(false),
    tuneSet: z.string().optional(),
    freezeEncoder: z.boolean().default(T.freezeEncoder),
    evalEveryEpoch: z.boolean().default(false),
    noOverlapping: z.boolean().default(false),
    limitTrain: z.number().int().positive().optional(),
    seed: z.number().int().default(T.seed),
    ...runFields('runs/spert'),
    lenient: z.boolean().default(false),
    checkpointEvery: z.number().int().positive().optional(),
    allowNonFinite: z.boolean().default(false),
  })
  .strict();

/** A validated training configuration. */
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

/**
 * The built-in default of `npm start`: a small encoder trained from scratch on CoNLL04 train,
 * evaluated on test. Family and relation constraints are what docs/results.md ("Beyond SpERT")
 * measured best at this size (3-seed means, relation F1 strict micro: DeBERTa-v3 shape with type
 * constraints 23.58 against 17.41 for the same shape without them and 11.22 for reference SpERT on
 * a BERT shape); `--family bert --relation-type-constraints off`
 * gives the reference configuration.
 */
export const QUICKSTART: Partial<TrainConfig> = {
  dataset: 'conll04',
  family: 'deberta-v2',
  relationTypeConstraints: 'train',
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
    throw new SpertError('FILE_NOT_FOUND', `${file}: cannot read the config file: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const json = parseJson(text, file, 'training config');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SpertError('INVALID_FILE', `${file}: the config file must be a JSON object`);
  return json as Record<string, unknown>;
}

/**
 * Merges defaults < preset < config file < flags and validates, listing every bad field;
 * `source` (the config file) prefixes the message when the settings came from one.
 */
export function resolveConfig(layers: Array<Record<string, unknown> | undefined>, source?: string): TrainConfig {
  const { config } = resolveLayers(TrainConfigSchema, layers, 'training configuration', source);
  // The named dataset only matters when one of the three files is left to it.
  if (!(config.train && config.valid && config.types)) assertDatasetName(config.dataset);
  return config;
}
