// The DeBERTa-v2/v3 hyper-parameters (Hugging Face DebertaV2Config), read from and written to config.json.
import type { EncoderConfig, EncoderConfigFields } from '../../family';
import { parseJsonObject } from '../../json-object';
import { configFieldReader, readSharedFields, SHARED_FIELD_NAMES } from '../../config-fields';
import { SpertError } from '@spert/core';

/** The disentangled-attention part of a DeBERTa-v2 config (Hugging Face names). */
export interface DebertaV2Options {
  /** Whether layers add the c2p / p2c relative-position terms (HF default false; DeBERTa-v3: true). */
  relative_attention: boolean;
  /** Range of relative positions; values < 1 mean max_position_embeddings (as HF resolves it). */
  max_relative_positions: number;
  /** Log-bucket count per direction; <= 0 means no bucketing. */
  position_buckets: number;
  /** Which relative terms the attention adds, in config order: "c2p" (content to position), "p2c". */
  pos_att_type: Array<'c2p' | 'p2c'>;
  /** Project relative embeddings with the content query/key projections (true) or own pos_*_proj layers. */
  share_att_key: boolean;
  /** `norm_rel_ebd`, as written ("layer_norm" LayerNorms the relative embeddings, "none" does not). */
  norm_rel_ebd: string;
  /** Whether absolute position embeddings are added to the input (HF default true; DeBERTa-v3: false). */
  position_biased_input: boolean;
}

/** Hyper-parameters of a DeBERTa-v2/v3 encoder (`model_type` "deberta-v2"). */
export interface DebertaV2Config extends EncoderConfig, DebertaV2Options {
  model_type: 'deberta-v2';
  hidden_act: 'gelu';
}

// What DebertaV2Config.__init__ (and the modules' getattr defaults) assume when a field is absent.
const HF_DEFAULTS = {
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 0,
  initializer_range: 0.02,
  layer_norm_eps: 1e-7,
  relative_attention: false,
  max_relative_positions: -1,
  position_buckets: -1,
  share_att_key: false,
  norm_rel_ebd: 'none',
  position_biased_input: true,
};

/** The shape of microsoft/deberta-v3-*: what new (random) DeBERTa encoders get unless told otherwise. */
export const DEBERTA_V3_DEFAULTS: DebertaV2Options & { type_vocab_size: number; layer_norm_eps: number; max_position_embeddings: number } = {
  relative_attention: true,
  max_relative_positions: -1,
  position_buckets: 256,
  pos_att_type: ['p2c', 'c2p'],
  share_att_key: true,
  norm_rel_ebd: 'layer_norm',
  position_biased_input: false,
  type_vocab_size: 0,
  layer_norm_eps: 1e-7,
  max_position_embeddings: 512,
};

const KNOWN = new Set<string>([...SHARED_FIELD_NAMES, ...Object.keys(HF_DEFAULTS), 'pos_att_type', 'model_type']);

/** Validates a parsed (or string) config.json of a DeBERTa-v2/v3 checkpoint; `source` names it in errors. */
export function parseDebertaV2Config(json: unknown, source = 'config.json'): DebertaV2Config {
  const obj = parseJsonObject(json, source);
  const o = obj;
  if (o.model_type !== 'deberta-v2') {
    throw new SpertError('UNSUPPORTED', `${source}: model_type ${JSON.stringify(o.model_type)} is not read by the DeBERTa-v2 family (model_type "deberta-v2": DeBERTa-v2, DeBERTa-v3)`);
  }
  const shared = readSharedFields(o, source, HF_DEFAULTS, true);
  const { field, int, bool } = configFieldReader(o, source);
  // HF accepts a list or a "p2c|c2p" string; absent (None) means no relative terms.
  const rawTypes = o.pos_att_type ?? [];
  const typeList = typeof rawTypes === 'string' ? rawTypes.toLowerCase().split('|').map((s) => s.trim()).filter((s) => s !== '') : rawTypes;
  if (!Array.isArray(typeList)) throw new SpertError('INVALID_MODEL_CONFIG', `${field('pos_att_type')} must be a list such as ["p2c", "c2p"] or a "p2c|c2p" string, got ${JSON.stringify(rawTypes)}`);
  const posAttType: Array<'c2p' | 'p2c'> = [];
  for (const t of typeList) {
    if (t !== 'c2p' && t !== 'p2c') throw new SpertError('UNSUPPORTED', `${field('pos_att_type')}: ${JSON.stringify(t)} is not supported (only "c2p" and "p2c", as DeBERTa-v2/v3)`);
    if (!posAttType.includes(t)) posAttType.push(t);
  }
  const norm = o.norm_rel_ebd ?? HF_DEFAULTS.norm_rel_ebd;
  if (typeof norm !== 'string') throw new SpertError('INVALID_MODEL_CONFIG', `${field('norm_rel_ebd')} must be a string such as "layer_norm", got ${JSON.stringify(norm)}`);
  for (const part of norm.toLowerCase().split('|').map((s) => s.trim())) {
    if (part !== 'layer_norm' && part !== 'none') throw new SpertError('UNSUPPORTED', `${field('norm_rel_ebd')}: "${part}" is not supported (only "layer_norm" or "none")`);
  }
  const cfg: DebertaV2Config = {
    ...shared,
    relative_attention: bool('relative_attention', HF_DEFAULTS.relative_attention),
    max_relative_positions: int('max_relative_positions', HF_DEFAULTS.max_relative_positions),
    position_buckets: int('position_buckets', HF_DEFAULTS.position_buckets),
    pos_att_type: posAttType,
    share_att_key: bool('share_att_key', HF_DEFAULTS.share_att_key),
    norm_rel_ebd: norm,
    position_biased_input: bool('position_biased_input', HF_DEFAULTS.position_biased_input),
    model_type: 'deberta-v2',
    extra: {},
  };
  // Variants of the architecture no released DeBERTa-v3 checkpoint uses: refused rather than run wrongly.
  if (o.embedding_size !== undefined && o.embedding_size !== null && o.embedding_size !== cfg.hidden_size) {
    throw new SpertError('UNSUPPORTED', `${field('embedding_size')} ${JSON.stringify(o.embedding_size)} differs from hidden_size ${cfg.hidden_size}; the embedding projection (embed_proj) is not supported`);
  }
  if (typeof o.conv_kernel_size === 'number' && o.conv_kernel_size > 0) {
    throw new SpertError('UNSUPPORTED', `${field('conv_kernel_size')} is ${o.conv_kernel_size}; the convolution layer of DeBERTa-v2-xlarge/xxlarge is not supported (only conv_kernel_size 0, as DeBERTa-v3)`);
  }
  if (o.attention_head_size !== undefined && o.attention_head_size !== cfg.hidden_size / cfg.num_attention_heads) {
    throw new SpertError('UNSUPPORTED', `${field('attention_head_size')} ${JSON.stringify(o.attention_head_size)} differs from hidden_size / num_attention_heads = ${cfg.hidden_size / cfg.num_attention_heads}; not supported`);
  }
  for (const [k, v] of Object.entries(o)) if (!KNOWN.has(k)) cfg.extra[k] = v;
  return cfg;
}

/** Fields to build a new DeBERTa-v2 config: the sizes plus any EncoderConfig or DeBERTa overrides. */
export type DebertaV2ConfigFields = EncoderConfigFields & Partial<DebertaV2Options>;

/** A DebertaV2Config with DeBERTa-v3's shape for every field not given (for new random encoders). */
export function makeDebertaV2Config(fields: DebertaV2ConfigFields): DebertaV2Config {
  const given = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return parseDebertaV2Config({ ...DEBERTA_V3_DEFAULTS, ...given, model_type: 'deberta-v2' }, 'makeDebertaV2Config');
}

/** The config.json object Hugging Face transformers reads (extra fields first, ours override). */
export function debertaV2ConfigToJson(config: DebertaV2Config): Record<string, unknown> {
  const { extra, ...known } = config;
  return { ...extra, ...known, pos_att_type: [...config.pos_att_type], architectures: extra.architectures ?? ['DebertaV2Model'] };
}

/** The relative-position geometry HF derives from a config: table half-width and the bucketing range. */
export interface RelativeGeometry {
  /** `att_span` (= pos_ebd_size): rel_embeddings has 2 * span rows. */
  span: number;
  /** Log-bucket count (<= 0: none). */
  buckets: number;
  /** max_relative_positions resolved (values < 1 mean max_position_embeddings). */
  maxRelative: number;
}

/** att_span and bucketing as DisentangledSelfAttention resolves them from the config. */
export function relativeGeometry(config: Pick<DebertaV2Config, 'max_relative_positions' | 'position_buckets' | 'max_position_embeddings'>): RelativeGeometry {
  const maxRelative = config.max_relative_positions < 1 ? config.max_position_embeddings : config.max_relative_positions;
  const span = config.position_buckets > 0 ? config.position_buckets : maxRelative;
  return { span, buckets: config.position_buckets, maxRelative };
}
