// The RoBERTa-family hyper-parameters (roberta, xlm-roberta, camembert: one architecture), read
// from and written to a Hugging Face config.json.
import type { EncoderConfig, EncoderConfigFields } from '../../family';
import { parseBertConfig } from '../bert/config';
import { parseJsonObject } from '../../json-object';
import { SpertError } from '@spert/core';

/** The config.json model_type values of the RoBERTa architecture, with the class transformers saves for each. */
export const ROBERTA_MODEL_TYPES = { roberta: 'RobertaModel', 'xlm-roberta': 'XLMRobertaModel', camembert: 'CamembertModel' } as const;

/** A model_type of the RoBERTa architecture. */
export type RobertaModelType = keyof typeof ROBERTA_MODEL_TYPES;

/** Hyper-parameters of a RoBERTa-family encoder (Hugging Face names, snake_case as in config.json). */
export interface RobertaConfig extends EncoderConfig {
  model_type: RobertaModelType;
  hidden_act: 'gelu';
  /** Id of the padding token; position ids count from pad_token_id + 1 and padded positions keep pad_token_id. */
  pad_token_id: number;
}

/** True for the model_type values of the RoBERTa architecture. */
export function isRobertaModelType(modelType: unknown): modelType is RobertaModelType {
  return typeof modelType === 'string' && Object.prototype.hasOwnProperty.call(ROBERTA_MODEL_TYPES, modelType);
}

// What a new random encoder gets when the caller names only its sizes: roberta-base's choices
// (its config.json sets them; transformers' RobertaConfig class itself defaults to BERT's).
const NEW_CONFIG_DEFAULTS = { max_position_embeddings: 514, type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1 };

/**
 * Validates a parsed (or string) config.json of a RoBERTa-family checkpoint; `source` names it in
 * errors. Fields it leaves out get transformers' RobertaConfig defaults (BERT's, plus pad_token_id 1).
 */
export function parseRobertaConfig(json: unknown, source = 'config.json'): RobertaConfig {
  const obj = parseJsonObject(json, source);
  const { model_type: modelType, ...rest } = obj;
  if (!isRobertaModelType(modelType)) {
    throw new SpertError('UNSUPPORTED',
      `${source}: model_type ${JSON.stringify(modelType)} is not supported by the RoBERTa family ` +
        `(model_type ${Object.keys(ROBERTA_MODEL_TYPES).map((t) => `"${t}"`).join(', ')}); parseEncoderConfig picks the family by model_type`,
    );
  }
  // The fields, their checks and BERT's defaults are the same as BertModel's; only the
  // embeddings' position ids and the padding index differ.
  const { extra, ...fields } = parseBertConfig({ ...rest, model_type: 'bert' }, source);
  const { pad_token_id: pad = 1, ...others } = extra;
  if (typeof pad !== 'number' || !Number.isInteger(pad) || pad < 0 || pad >= fields.vocab_size) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: field "pad_token_id" must be an integer in [0, vocab_size ${fields.vocab_size}), got ${JSON.stringify(pad)}`);
  }
  if (fields.max_position_embeddings <= pad + 1) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: max_position_embeddings ${fields.max_position_embeddings} leaves no position: RoBERTa's positions start at pad_token_id + 1 = ${pad + 1}`);
  }
  return { ...fields, model_type: modelType, pad_token_id: pad, extra: others };
}

/** A RobertaConfig with roberta-base's defaults (514 positions, one token type, eps 1e-5, pad 1) filled in from partial fields. */
export function makeRobertaConfig(fields: EncoderConfigFields & { pad_token_id?: number }): RobertaConfig {
  return parseRobertaConfig({ ...NEW_CONFIG_DEFAULTS, ...fields, model_type: fields.model_type ?? 'roberta' }, 'makeRobertaConfig');
}

/** The config.json object Hugging Face transformers reads (extra fields first, ours override). */
export function robertaConfigToJson(config: RobertaConfig): Record<string, unknown> {
  const { extra, ...known } = config;
  return { ...extra, ...known, architectures: extra.architectures ?? [ROBERTA_MODEL_TYPES[config.model_type]] };
}

/** Longest input in tokens (specials included): position ids run from pad_token_id + 1 to max_position_embeddings - 1. */
export function robertaMaxSequenceLength(config: RobertaConfig): number {
  return config.max_position_embeddings - config.pad_token_id - 1;
}
