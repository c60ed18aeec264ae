// The masked-language-model head of an encoder family, tensor-free: its Hugging Face names, shapes
// and initialisation. Every registered family has the same head (dense, GELU, LayerNorm, a decoder
// tied to the word embeddings, an output bias); only the names and the architecture differ, so a
// family declares its names and everything else is written here once.
import type { SeededRng } from '@spert/core';
import type { EncoderConfig, ParamSpec } from './family';
import { paramSpecBuilder } from './param-init';
import { normalArray } from './random';

/** How a family names its masked-LM head in Hugging Face checkpoints. */
export interface MaskedLmHeadNames {
  /** Prefix of every head tensor: `cls.predictions.` (BERT, DeBERTa-v2) or `lm_head.` (RoBERTa). */
  readonly prefix: string;
  /** The transform's Linear layer, under the prefix (`transform.dense` or `dense`). */
  readonly dense: string;
  /** The transform's LayerNorm, under the prefix (`transform.LayerNorm` or `layer_norm`). */
  readonly layerNorm: string;
  /** transformers' `*ForMaskedLM` class written to config.json `architectures`. */
  readonly architecture: string;
}

/** The roles of the head's own parameters (the decoder matrix is the encoder's word embeddings). */
export interface MaskedLmHeadParams {
  denseWeight: string;
  denseBias: string;
  layerNormWeight: string;
  layerNormBias: string;
  bias: string;
}

/** The full checkpoint names of a head's own parameters. */
export function maskedLmParamNames(names: MaskedLmHeadNames): MaskedLmHeadParams {
  const p = names.prefix;
  return {
    denseWeight: `${p}${names.dense}.weight`,
    denseBias: `${p}${names.dense}.bias`,
    layerNormWeight: `${p}${names.layerNorm}.weight`,
    layerNormBias: `${p}${names.layerNorm}.bias`,
    bias: `${p}bias`,
  };
}

/** The head's own parameters for `config` in Hugging Face order (dense [H, H], LayerNorm [H], bias [V]). */
export function maskedLmParamSpecs(names: MaskedLmHeadNames, config: EncoderConfig): ParamSpec[] {
  const H = config.hidden_size;
  const { specs, plain, linear, norm } = paramSpecBuilder(H);
  linear(`${names.prefix}${names.dense}`, H, H);
  norm(`${names.prefix}${names.layerNorm}`);
  plain(`${names.prefix}bias`, config.vocab_size);
  return specs;
}

/** What a checkpoint tensor is to the head: one of its parameters, the tied decoder (weight or bias copy), or not a head tensor. */
export type MaskedLmTensorRole = { kind: 'param'; name: string } | { kind: 'tied-decoder-weight' } | { kind: 'tied-decoder-bias' } | null;

/**
 * Classifies a checkpoint tensor name against a family's head names. Legacy LayerNorm names
 * (`gamma`/`beta`, Google's converted checkpoints) map to `weight`/`bias`; the decoder's weight and
 * bias are copies of the word embeddings and of the output bias that some writers store.
 */
export function maskedLmTensorRole(names: MaskedLmHeadNames, name: string): MaskedLmTensorRole {
  if (!name.startsWith(names.prefix)) return null;
  const rest = name.slice(names.prefix.length);
  if (rest === `decoder.weight`) return { kind: 'tied-decoder-weight' };
  if (rest === `decoder.bias`) return { kind: 'tied-decoder-bias' };
  if (rest === 'bias') return { kind: 'param', name };
  if (rest === `${names.dense}.weight` || rest === `${names.dense}.bias`) return { kind: 'param', name };
  const ln = rest.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
  if (ln === `${names.layerNorm}.weight` || ln === `${names.layerNorm}.bias`) return { kind: 'param', name: `${names.prefix}${ln}` };
  return null;
}

/** A fresh head parameter as transformers' _init_weights makes it: N(0, initializer_range) dense weight, zero biases, unit LayerNorm. */
export function initialMaskedLmParamValue(names: MaskedLmHeadNames, spec: ParamSpec, config: EncoderConfig, rng: SeededRng): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const params = maskedLmParamNames(names);
  if (spec.name === params.denseWeight) return normalArray(rng, count, config.initializer_range);
  if (spec.name === params.layerNormWeight) return new Float32Array(count).fill(1);
  return new Float32Array(count);
}
