// Hugging Face's DebertaV2PreTrainedModel._init_weights, reproducible from a seed and without tfjs.
import type { ParamSpec } from '../../family';
import type { SeededRandom } from '../../random';
import type { DebertaV2Config } from './config';

/**
 * Initial value of one parameter: N(0, initializer_range) for Linear weights and every embedding
 * (rel_embeddings included; the word embedding's padding row zero), zero biases, unit LayerNorm.
 */
export function initialDebertaV2ParamValue(spec: ParamSpec, config: DebertaV2Config, rng: SeededRandom): Float32Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  if (spec.name.endsWith('LayerNorm.weight')) return new Float32Array(count).fill(1);
  if (spec.name.endsWith('.bias')) return new Float32Array(count);
  const data = rng.normalArray(count, config.initializer_range);
  if (spec.name === 'embeddings.word_embeddings.weight') {
    const pad = typeof config.extra.pad_token_id === 'number' ? config.extra.pad_token_id : 0;
    if (pad >= 0 && pad < config.vocab_size) data.fill(0, pad * config.hidden_size, (pad + 1) * config.hidden_size);
  }
  return data;
}
