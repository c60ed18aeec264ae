// Parameter names and shapes of a Hugging Face BertModel, and the name normalisation that lets
// checkpoints with or without the `bert.` prefix and with legacy LayerNorm names load.
import type { ParamSpec } from '../../family';
import { paramSpecBuilder } from '../../param-init';
import type { BertConfig } from './config';

/** Every parameter of a BertModel (with pooler) for `config`, in Hugging Face order. */
export function bertParamSpecs(config: BertConfig): ParamSpec[] {
  const H = config.hidden_size;
  const I = config.intermediate_size;
  const { specs, plain, linear, norm, layerOutputs } = paramSpecBuilder(H);
  plain('embeddings.word_embeddings.weight', config.vocab_size, H);
  plain('embeddings.position_embeddings.weight', config.max_position_embeddings, H);
  plain('embeddings.token_type_embeddings.weight', config.type_vocab_size, H);
  norm('embeddings.LayerNorm');
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    linear(`${p}.attention.self.query`, H, H);
    linear(`${p}.attention.self.key`, H, H);
    linear(`${p}.attention.self.value`, H, H);
    layerOutputs(p, I);
  }
  linear('pooler.dense', H, H);
  return specs;
}

/** True for tensors that BERT checkpoints carry but an encoder does not use (pretraining heads, buffers). */
export function isIgnoredCheckpointTensor(name: string): boolean {
  return /^(bert\.)?(cls\.|embeddings\.(position_ids|token_type_ids)$)/.test(name);
}

/** Maps a checkpoint tensor name to the encoder's name, or null when it is not an encoder tensor. */
export function encoderParamName(name: string): string | null {
  let n = name.startsWith('bert.') ? name.slice(5) : name;
  if (!/^(embeddings|encoder|pooler)\./.test(n)) return null;
  n = n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return n;
}
