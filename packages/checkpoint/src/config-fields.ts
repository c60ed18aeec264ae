// What every encoder family reads alike from config.json: the transformer's sizes, dropouts,
// positions, token types, initialisation and LayerNorm epsilon, each checked and named in errors.
import { SpertError } from '@spert/core';
import type { EncoderConfig } from './family';

/** Readers of one config.json's fields; a wrong value is an error naming `source` and the field. */
export interface ConfigFieldReader {
  /** `source: field "key"`, for a family's own messages. */
  field(key: string): string;
  /** A finite number (a positive integer with `positiveInt`), `fallback` when absent. */
  num(key: string, fallback?: number, positiveInt?: boolean): number;
  /** An integer, `fallback` when absent. */
  int(key: string, fallback: number): number;
  /** A boolean, `fallback` when absent. */
  bool(key: string, fallback: boolean): boolean;
}

/** The field readers of the parsed config.json `o`. */
export function configFieldReader(o: Record<string, unknown>, source: string): ConfigFieldReader {
  const field = (key: string) => `${source}: field "${key}"`;
  const num = (key: string, fallback?: number, positiveInt = false): number => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpertError('INVALID_MODEL_CONFIG', `${field(key)} must be a number, got ${JSON.stringify(o[key])}`);
    if (positiveInt && (!Number.isInteger(v) || v <= 0)) throw new SpertError('INVALID_MODEL_CONFIG', `${field(key)} must be a positive integer, got ${v}`);
    return v;
  };
  const int = (key: string, fallback: number): number => {
    const v = num(key, fallback);
    if (!Number.isInteger(v)) throw new SpertError('INVALID_MODEL_CONFIG', `${field(key)} must be an integer, got ${v}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'boolean') throw new SpertError('INVALID_MODEL_CONFIG', `${field(key)} must be true or false, got ${JSON.stringify(o[key])}`);
    return v;
  };
  return { field, num, int, bool };
}

/** A family's defaults of the shared fields a config.json may leave out. */
export type SharedFieldDefaults = Pick<EncoderConfig, 'hidden_dropout_prob' | 'attention_probs_dropout_prob' | 'max_position_embeddings' | 'type_vocab_size' | 'initializer_range' | 'layer_norm_eps'>;

/** The fields every family reads alike (required sizes first); `model_type` and `extra` are the family's. */
export type SharedEncoderFields = Omit<EncoderConfig, 'model_type' | 'extra' | 'hidden_act'> & { hidden_act: 'gelu' };

/** The names {@link readSharedFields} reads, for telling them from a config's extra fields. */
export const SHARED_FIELD_NAMES = ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'hidden_act', 'hidden_dropout_prob', 'attention_probs_dropout_prob', 'max_position_embeddings', 'type_vocab_size', 'initializer_range', 'layer_norm_eps'] as const;

/**
 * Reads and checks the shared fields: positive sizes, erf GELU only, hidden_size a multiple of the
 * heads, dropouts in [0, 1), and type_vocab_size a positive integer (or, with `typeVocabMayBeZero`,
 * an integer >= 0: DeBERTa-v3 has no token types).
 */
export function readSharedFields(o: Record<string, unknown>, source: string, defaults: SharedFieldDefaults, typeVocabMayBeZero = false): SharedEncoderFields {
  const { field, num, int } = configFieldReader(o, source);
  const act = o.hidden_act ?? 'gelu';
  if (act !== 'gelu') throw new SpertError('UNSUPPORTED', `${source}: hidden_act "${String(act)}" is not supported (only "gelu", the erf form)`);
  const fields: SharedEncoderFields = {
    vocab_size: num('vocab_size', undefined, true),
    hidden_size: num('hidden_size', undefined, true),
    num_hidden_layers: num('num_hidden_layers', undefined, true),
    num_attention_heads: num('num_attention_heads', undefined, true),
    intermediate_size: num('intermediate_size', undefined, true),
    hidden_act: 'gelu',
    hidden_dropout_prob: num('hidden_dropout_prob', defaults.hidden_dropout_prob),
    attention_probs_dropout_prob: num('attention_probs_dropout_prob', defaults.attention_probs_dropout_prob),
    max_position_embeddings: num('max_position_embeddings', defaults.max_position_embeddings, true),
    type_vocab_size: typeVocabMayBeZero ? int('type_vocab_size', defaults.type_vocab_size) : num('type_vocab_size', defaults.type_vocab_size, true),
    initializer_range: num('initializer_range', defaults.initializer_range),
    layer_norm_eps: num('layer_norm_eps', defaults.layer_norm_eps),
  };
  if (fields.type_vocab_size < 0) throw new SpertError('INVALID_MODEL_CONFIG', `${field('type_vocab_size')} must be >= 0, got ${fields.type_vocab_size}`);
  if (fields.hidden_size % fields.num_attention_heads !== 0) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: hidden_size ${fields.hidden_size} is not a multiple of num_attention_heads ${fields.num_attention_heads}`);
  }
  for (const p of ['hidden_dropout_prob', 'attention_probs_dropout_prob'] as const) {
    if (fields[p] < 0 || fields[p] >= 1) throw new SpertError('INVALID_MODEL_CONFIG', `${field(p)} must be in [0, 1), got ${fields[p]}`);
  }
  return fields;
}
