// Hugging Face's RobertaPreTrainedModel._init_weights, reproducible from a seed and without tfjs.
import type { ParamSpec } from '../../family';
import type { SeededRng } from '@spert/core';
import { initialParamValue as bertInitialParamValue } from '../bert/init';
import type { RobertaConfig } from './config';
import { asBertShaped } from './names';

/**
 * Initial value of one parameter: BERT's rule (N(0, initializer_range), zero biases, unit
 * LayerNorm, zero padding row of the word embeddings), plus a zero padding row of the position
 * embeddings, whose nn.Embedding has padding_idx = pad_token_id in RoBERTa.
 */
export function initialRobertaParamValue(spec: ParamSpec, config: RobertaConfig, rng: SeededRng): Float32Array {
  const data = bertInitialParamValue(spec, asBertShaped(config), rng);
  if (spec.name === 'embeddings.position_embeddings.weight') {
    const H = config.hidden_size;
    data.fill(0, config.pad_token_id * H, (config.pad_token_id + 1) * H);
  }
  return data;
}
