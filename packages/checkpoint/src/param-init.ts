// What every encoder family shares about its parameters: how a spec list is built and how
// Hugging Face's _init_weights initialises them.
import type { EncoderConfig, ParamSpec } from './family';
import type { SeededRng } from '@spert/core';
import { normalArray } from './random';

/**
 * Collects parameter specs in order: `plain` tensors, `linear` layers (weight [out, in] + bias),
 * LayerNorms of width `hidden`, and a layer's sublayers after self-attention (`layerOutputs`).
 */
export function paramSpecBuilder(hidden: number) {
  const specs: ParamSpec[] = [];
  const plain = (name: string, ...shape: number[]) => void specs.push({ name, shape, layout: 'plain' });
  const linear = (name: string, out: number, inp: number) => {
    specs.push({ name: `${name}.weight`, shape: [out, inp], layout: 'linear' });
    plain(`${name}.bias`, out);
  };
  const norm = (name: string) => {
    plain(`${name}.weight`, hidden);
    plain(`${name}.bias`, hidden);
  };
  // BertSelfOutput, BertIntermediate and BertOutput under layer `p`: DeBERTa-v2 reuses them, names and shapes alike.
  const layerOutputs = (p: string, intermediate: number) => {
    linear(`${p}.attention.output.dense`, hidden, hidden);
    norm(`${p}.attention.output.LayerNorm`);
    linear(`${p}.intermediate.dense`, intermediate, hidden);
    linear(`${p}.output.dense`, hidden, intermediate);
    norm(`${p}.output.LayerNorm`);
  };
  return { specs, plain, linear, norm, layerOutputs };
}

/**
 * Initial value of one parameter as transformers' _init_weights (BERT, RoBERTa, DeBERTa-v2 alike):
 * N(0, initializer_range) weights and embeddings (the word embedding's padding row zero), zero
 * biases, unit LayerNorm.
 */
export function initialParamValue(spec: ParamSpec, config: EncoderConfig, rng: SeededRng): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.name.endsWith('LayerNorm.weight')) return new Float32Array(count).fill(1);
  if (spec.name.endsWith('.bias')) return new Float32Array(count);
  const data = normalArray(rng, count, config.initializer_range);
  if (spec.name === 'embeddings.word_embeddings.weight') {
    const pad = typeof config.extra.pad_token_id === 'number' ? config.extra.pad_token_id : 0;
    if (pad >= 0 && pad < config.vocab_size) data.fill(0, pad * config.hidden_size, (pad + 1) * config.hidden_size);
  }
  return data;
}
