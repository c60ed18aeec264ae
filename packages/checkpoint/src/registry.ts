// The encoder families @spert/checkpoint knows, keyed by config.json `model_type`. Adding a
// family is a folder under families/ plus one line in FAMILIES; @spert/encoder and @spert/onnx
// keep the matching registries for the TF.js layers and the ONNX graph.
import { SpertError } from '@spert/core';
import { parseJsonObject } from './json-object';
import type { CheckpointFamily, EncoderConfig, EncoderConfigFields } from './family';
import { bertCheckpointFamily } from './families/bert';
import { robertaCheckpointFamilies } from './families/roberta';
import { debertaV2CheckpointFamily } from './families/deberta-v2';

const FAMILIES: readonly CheckpointFamily[] = [
  bertCheckpointFamily,
  ...robertaCheckpointFamilies,
  debertaV2CheckpointFamily,
];

/** Families of one layer (checkpoint, TF.js, ONNX) keyed by config.json model_type. */
export interface FamilyRegistry<F extends { readonly modelType: string }> {
  /** The registered model_type values, in registration order. */
  types(): string[];
  /** The family of `modelType`, or an error whose message `unknown` writes from the quoted, comma-separated registered types. */
  get(modelType: string, unknown: (registered: string) => string): F;
}

/** A registry of `families` (one layer's), each under its modelType. */
export function familyRegistry<F extends { readonly modelType: string }>(families: readonly F[]): FamilyRegistry<F> {
  const byType = new Map(families.map((f) => [f.modelType, f]));
  const types = () => [...byType.keys()];
  return {
    types,
    get(modelType, unknown) {
      const family = byType.get(modelType);
      if (!family) throw new SpertError('UNSUPPORTED', unknown(types().map((t) => `"${t}"`).join(', ')));
      return family;
    },
  };
}

const REGISTRY = familyRegistry(FAMILIES);

/** model_type assumed when config.json has none (older BERT checkpoints, e.g. Google's conversions). */
export const DEFAULT_MODEL_TYPE = 'bert';

/** The model_type values of the registered encoder families. */
export function registeredModelTypes(): string[] {
  return REGISTRY.types();
}

/**
 * The family registered for `modelType`, or an error naming `source` and listing the registered
 * ones. `C` is the caller's claim about the family's config type: a family's TF.js and ONNX
 * halves name their own config type here, and `asConfig` checks the configs they are handed.
 */
export function checkpointFamily<C extends EncoderConfig = EncoderConfig>(modelType: string, source = 'config.json'): CheckpointFamily<C> {
  const family = REGISTRY.get(modelType, (registered) =>
    `${source}: model_type "${modelType}" is not supported; registered encoder families: ${registered} ` +
      `(a new family is a folder under packages/checkpoint/src/families plus one registration line; see the @spert/encoder README)`,
  );
  return family as CheckpointFamily<C>;
}

/** The family of a parsed config (its model_type). */
export function familyOfConfig(config: Pick<EncoderConfig, 'model_type'>, source = 'config'): CheckpointFamily {
  return checkpointFamily(config.model_type, source);
}

/** Validates a config.json (text or parsed) with the family its `model_type` names (default "bert"). */
export function parseEncoderConfig(json: unknown, source = 'config.json'): EncoderConfig {
  const obj = parseJsonObject(json, source);
  const modelType = obj.model_type ?? DEFAULT_MODEL_TYPE;
  if (typeof modelType !== 'string') throw new Error(`${source}: field "model_type" must be a string, got ${JSON.stringify(modelType)}`);
  return checkpointFamily(modelType, source).parseConfig(obj, source);
}

/** A config of the family `fields.model_type` names (default "bert") with that family's defaults. */
export function makeEncoderConfig(fields: EncoderConfigFields): EncoderConfig {
  return checkpointFamily(fields.model_type ?? DEFAULT_MODEL_TYPE, 'makeEncoderConfig').makeConfig(fields);
}

/** The config.json object of `config`, written by its family. */
export function encoderConfigToJson(config: EncoderConfig): Record<string, unknown> {
  return familyOfConfig(config).configToJson(config);
}

/** Longest input in subword tokens (specials included) the encoder of `config` accepts, as its family declares. */
export function encoderMaxLength(config: EncoderConfig): number {
  return familyOfConfig(config).maxSequenceLength(config);
}

/** The model_type values whose family declares a tokenizer trainer: the families a model can be trained from scratch in. */
export function scratchModelTypes(): string[] {
  return FAMILIES.filter((f) => f.tokenizerTrainer !== undefined).map((f) => f.modelType);
}

/**
 * A new config of the family `fields.model_type` names (default "bert") whose encoder accepts
 * `longestInput` tokens: the position table gets the family's position offset on top.
 */
export function makeEncoderConfigForLength(fields: Omit<EncoderConfigFields, 'max_position_embeddings'>, longestInput: number): EncoderConfig {
  const family = checkpointFamily(fields.model_type ?? DEFAULT_MODEL_TYPE, 'makeEncoderConfigForLength');
  return family.makeConfig({ ...fields, max_position_embeddings: longestInput + family.positionOffset(family.makeConfig(fields)) });
}
