// The tensor-free part of an encoder family: how its config.json reads and writes, which
// parameters it has under which names, and how a fresh one is initialised. Export and serving
// use only this part, so they never load TensorFlow.js.
import { SpertError, type SeededRng } from '@spert/core';
import type { MaskedLmHeadNames } from './masked-lm';

/**
 * Hyper-parameters every registered encoder family has (Hugging Face config.json names,
 * snake_case). A family's own config type extends it with narrower or additional fields.
 */
export interface EncoderConfig {
  /** config.json `model_type`: the key of the family in every registry. */
  model_type: string;
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: string;
  hidden_dropout_prob: number;
  attention_probs_dropout_prob: number;
  max_position_embeddings: number;
  type_vocab_size: number;
  initializer_range: number;
  layer_norm_eps: number;
  /** Fields of config.json the family does not interpret, kept so a save writes them back. */
  extra: Record<string, unknown>;
}

/** The sizes a new config needs; everything else has family defaults. */
export type EncoderSizes = Pick<EncoderConfig, 'vocab_size' | 'hidden_size' | 'num_hidden_layers' | 'num_attention_heads' | 'intermediate_size'>;

/** Fields to build a new config from: the sizes plus any overrides (`model_type` picks the family, default "bert"). */
export type EncoderConfigFields = Partial<Omit<EncoderConfig, 'extra'>> & EncoderSizes;

/**
 * How a model trained from scratch gets its tokenizer (the trainers of @spert/tokenizer): a
 * WordPiece vocabulary (buildVocab), a byte-level BPE (trainByteLevelBpe) or a Unigram (trainUnigram).
 */
export type TokenizerTrainerKind = 'wordpiece' | 'byte-level-bpe' | 'unigram';

/** How a parameter is stored: Linear weights are kept transposed ([in, out]) for matMul. */
export type ParamLayout = 'plain' | 'linear';

/** One encoder parameter: checkpoint name without the family prefix, PyTorch shape, layout. */
export interface ParamSpec {
  name: string;
  shape: number[];
  layout: ParamLayout;
}

/**
 * What @spert/checkpoint needs to know about an encoder family. Members are declared as methods
 * so that a family typed with its own config (`CheckpointFamily<BertConfig>`) registers as a
 * `CheckpointFamily`; the registries only hand a family configs whose model_type is its own.
 */
export interface CheckpointFamily<C extends EncoderConfig = EncoderConfig> {
  /** config.json `model_type` this family reads. */
  readonly modelType: string;
  /** Prefix of the encoder's tensors inside a SpERT checkpoint (`bert.` for BERT, as the reference writes). */
  readonly prefix: string;
  /** `config` as this family's config type, or an error naming `where` and the model_type it has instead. */
  asConfig(config: EncoderConfig, where: string): C;
  /** Validates a parsed config.json object; `source` names the file in errors. */
  parseConfig(json: Record<string, unknown>, source: string): C;
  /** A config with defaults filled in from partial fields (new random encoders). */
  makeConfig(fields: EncoderConfigFields): C;
  /** The config.json object Hugging Face transformers reads. */
  configToJson(config: C): Record<string, unknown>;
  /** Every parameter of the encoder for `config`, in checkpoint order. */
  paramSpecs(config: C): ParamSpec[];
  /** Maps a checkpoint tensor name to the encoder's name, or null when it is not an encoder tensor. */
  encoderParamName(name: string): string | null;
  /** True for tensors checkpoints carry that the encoder never uses (pretraining heads, buffers). */
  isIgnoredTensor(name: string): boolean;
  /** The initial value of one parameter, reproducible from `rng`. */
  initialParamValue(spec: ParamSpec, config: C, rng: SeededRng): Float32Array;
  /** Rows of the position table before the first token's (RoBERTa: pad_token_id + 1; 0 when positions start at 0). */
  positionOffset(config: C): number;
  /** Longest input in subword tokens (specials included) the encoder accepts. */
  maxSequenceLength(config: C): number;
  /** The tokenizer a model of this family trained from scratch gets; absent when the family is not offered for training from scratch. */
  readonly tokenizerTrainer?: TokenizerTrainerKind;
  /** How the family's masked-LM head (pre-training) is named in Hugging Face checkpoints. */
  readonly maskedLm: MaskedLmHeadNames;
}

/** The guard and the checked cast of a family with one model_type, for its `asConfig`. */
export function modelTypeCheck<C extends EncoderConfig>(modelType: C['model_type']): {
  is(config: { model_type: string }): config is C;
  as(config: EncoderConfig, where: string): C;
} {
  const is = (config: { model_type: string }): config is C => config.model_type === modelType;
  return {
    is,
    as(config, where) {
      if (!is(config)) throw new SpertError('INVALID_MODEL_CONFIG', `${where}: config has model_type "${config.model_type}", expected "${modelType}"`);
      return config;
    },
  };
}
