// The BERT hyper-parameters, read from and written to a Hugging Face config.json.
import { parseJsonObject } from '../../json-object';
import type { EncoderConfig, EncoderConfigFields } from '../../family';
import { readSharedFields, SHARED_FIELD_NAMES, type SharedFieldDefaults } from '../../config-fields';
import { SpertError } from '@spert/core';

/** Hyper-parameters of a BERT encoder (Hugging Face names, snake_case as in config.json). */
export interface BertConfig extends EncoderConfig {
  hidden_act: 'gelu';
  model_type: 'bert';
}

const DEFAULTS: SharedFieldDefaults = {
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
};

const KNOWN = new Set<string>([...SHARED_FIELD_NAMES, 'model_type']);

/** Validates a parsed (or string) config.json of a BERT checkpoint; `source` names it in errors. */
export function parseBertConfig(json: unknown, source = 'config.json'): BertConfig {
  const o = parseJsonObject(json, source);
  const modelType = o.model_type ?? 'bert';
  if (modelType !== 'bert') {
    throw new SpertError('UNSUPPORTED',
      `${source}: model_type "${String(modelType)}" is not supported by the BERT family ` +
        `(model_type "bert": BERT, SciBERT, BioBERT, ...); parseEncoderConfig picks the family by model_type`,
    );
  }
  const cfg: BertConfig = { ...readSharedFields(o, source, DEFAULTS), model_type: 'bert', extra: {} };
  const pet = o.position_embedding_type;
  if (pet !== undefined && pet !== 'absolute') throw new SpertError('UNSUPPORTED', `${source}: position_embedding_type "${String(pet)}" is not supported (only "absolute")`);
  for (const [k, v] of Object.entries(o)) if (!KNOWN.has(k)) cfg.extra[k] = v;
  return cfg;
}

/** A BertConfig with defaults filled in from partial fields (for new random encoders). */
export function makeBertConfig(fields: EncoderConfigFields): BertConfig {
  return parseBertConfig({ ...fields }, 'makeBertConfig');
}

/** The config.json object Hugging Face transformers reads (extra fields first, ours override). */
export function bertConfigToJson(config: BertConfig): Record<string, unknown> {
  const { extra, ...known } = config;
  return { ...extra, ...known, architectures: extra.architectures ?? ['BertModel'] };
}
