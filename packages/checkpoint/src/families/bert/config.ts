// The BERT hyper-parameters, read from and written to a Hugging Face config.json.
import { parseJsonObject } from '../../json-object';
import type { EncoderConfig, EncoderConfigFields } from '../../family';
import { SpertError } from '@spert/core';

/** Hyper-parameters of a BERT encoder (Hugging Face names, snake_case as in config.json). */
export interface BertConfig extends EncoderConfig {
  hidden_act: 'gelu';
  model_type: 'bert';
}

const DEFAULTS = {
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
};

const REQUIRED_INTS = ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size'] as const;
const KNOWN = new Set<string>([...REQUIRED_INTS, ...Object.keys(DEFAULTS), 'hidden_act', 'model_type']);

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
  const num = (key: string, fallback?: number, int = false): number => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpertError('INVALID_MODEL_CONFIG', `${source}: field "${key}" must be a number, got ${JSON.stringify(o[key])}`);
    if (int && (!Number.isInteger(v) || v <= 0)) throw new SpertError('INVALID_MODEL_CONFIG', `${source}: field "${key}" must be a positive integer, got ${v}`);
    return v;
  };
  const act = o.hidden_act ?? 'gelu';
  if (act !== 'gelu') throw new SpertError('UNSUPPORTED', `${source}: hidden_act "${String(act)}" is not supported (only "gelu", the erf form)`);
  const cfg: BertConfig = {
    vocab_size: num('vocab_size', undefined, true),
    hidden_size: num('hidden_size', undefined, true),
    num_hidden_layers: num('num_hidden_layers', undefined, true),
    num_attention_heads: num('num_attention_heads', undefined, true),
    intermediate_size: num('intermediate_size', undefined, true),
    hidden_act: 'gelu',
    hidden_dropout_prob: num('hidden_dropout_prob', DEFAULTS.hidden_dropout_prob),
    attention_probs_dropout_prob: num('attention_probs_dropout_prob', DEFAULTS.attention_probs_dropout_prob),
    max_position_embeddings: num('max_position_embeddings', DEFAULTS.max_position_embeddings, true),
    type_vocab_size: num('type_vocab_size', DEFAULTS.type_vocab_size, true),
    initializer_range: num('initializer_range', DEFAULTS.initializer_range),
    layer_norm_eps: num('layer_norm_eps', DEFAULTS.layer_norm_eps),
    model_type: 'bert',
    extra: {},
  };
  if (cfg.hidden_size % cfg.num_attention_heads !== 0) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: hidden_size ${cfg.hidden_size} is not a multiple of num_attention_heads ${cfg.num_attention_heads}`);
  }
  for (const p of ['hidden_dropout_prob', 'attention_probs_dropout_prob'] as const) {
    if (cfg[p] < 0 || cfg[p] >= 1) throw new SpertError('INVALID_MODEL_CONFIG', `${source}: field "${p}" must be in [0, 1), got ${cfg[p]}`);
  }
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
