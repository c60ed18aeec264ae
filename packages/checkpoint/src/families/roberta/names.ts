// Parameter names and shapes of a Hugging Face RobertaModel (XLMRobertaModel and CamembertModel
// are the same class): BertModel's modules under the `roberta.` prefix.
import type { ParamSpec } from '../../family';
import { bertParamSpecs, encoderParamName as bertEncoderParamName } from '../bert/names';
import type { BertConfig } from '../bert/config';
import type { RobertaConfig } from './config';

/** The checkpoint prefix of every RoBERTa-family encoder (transformers' base_model_prefix of all three classes). */
export const ROBERTA_PREFIX = 'roberta.';

/** The same sizes seen as a BertConfig: RobertaModel's embeddings, layers and pooler have BertModel's names and shapes. */
export function asBertShaped(config: RobertaConfig): BertConfig {
  return { ...config, model_type: 'bert', extra: { ...config.extra, pad_token_id: config.pad_token_id } };
}

/** Every parameter of a RobertaModel (with pooler) for `config`, in Hugging Face order. */
export function robertaParamSpecs(config: RobertaConfig): ParamSpec[] {
  return bertParamSpecs(asBertShaped(config));
}

/**
 * True for tensors that RoBERTa-family checkpoints carry but an encoder never uses: the masked-LM
 * head (`lm_head.*` of RobertaForMaskedLM) and the position/token-type id buffers. Other heads
 * (e.g. `classifier.*`) stay extra tensors, as for BERT.
 */
export function isIgnoredRobertaTensor(name: string): boolean {
  return /^(roberta\.)?(lm_head\.|embeddings\.(position_ids|token_type_ids)$)/.test(name);
}

/** Maps a checkpoint tensor name (with or without `roberta.`) to the encoder's name, or null when it is not an encoder tensor. */
export function robertaEncoderParamName(name: string): string | null {
  const n = name.startsWith(ROBERTA_PREFIX) ? name.slice(ROBERTA_PREFIX.length) : name;
  // A `bert.`-prefixed tensor is not part of a RoBERTa encoder, even though BERT's rule would take it.
  if (n.startsWith('bert.')) return null;
  return bertEncoderParamName(n);
}
