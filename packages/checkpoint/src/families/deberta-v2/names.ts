// Parameter names and shapes of a Hugging Face DebertaV2Model, and the name normalisation that
// lets checkpoints with or without the `deberta.` prefix load.
import type { ParamSpec } from '../../family';
import { paramSpecBuilder } from '../../param-init';
import { relativeGeometry, type DebertaV2Config } from './config';

/** True when the config LayerNorms the relative embeddings (`norm_rel_ebd` contains "layer_norm"). */
export function normsRelativeEmbeddings(config: Pick<DebertaV2Config, 'norm_rel_ebd'>): boolean {
  return config.norm_rel_ebd.toLowerCase().split('|').map((s) => s.trim()).includes('layer_norm');
}

/** Every parameter of a DebertaV2Model for `config`, in Hugging Face order (no pooler: DebertaV2Model has none). */
export function debertaV2ParamSpecs(config: DebertaV2Config): ParamSpec[] {
  const H = config.hidden_size;
  const I = config.intermediate_size;
  const { specs, plain, linear, norm, layerOutputs } = paramSpecBuilder(H);
  plain('embeddings.word_embeddings.weight', config.vocab_size, H);
  if (config.position_biased_input) plain('embeddings.position_embeddings.weight', config.max_position_embeddings, H);
  if (config.type_vocab_size > 0) plain('embeddings.token_type_embeddings.weight', config.type_vocab_size, H);
  norm('embeddings.LayerNorm');
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}`;
    linear(`${p}.attention.self.query_proj`, H, H);
    linear(`${p}.attention.self.key_proj`, H, H);
    linear(`${p}.attention.self.value_proj`, H, H);
    if (config.relative_attention && !config.share_att_key) {
      if (config.pos_att_type.includes('c2p')) linear(`${p}.attention.self.pos_key_proj`, H, H);
      if (config.pos_att_type.includes('p2c')) linear(`${p}.attention.self.pos_query_proj`, H, H);
    }
    layerOutputs(p, I);
  }
  if (config.relative_attention) {
    plain('encoder.rel_embeddings.weight', 2 * relativeGeometry(config).span, H);
    if (normsRelativeEmbeddings(config)) norm('encoder.LayerNorm');
  }
  return specs;
}

/**
 * True for tensors DeBERTa checkpoints carry that the encoder never uses: pretraining heads
 * (lm_predictions, mask_predictions), the position_ids buffer, and the pooler / classifier of
 * DebertaV2For* task models (SpERT heads are never under these names).
 */
export function isIgnoredDebertaV2Tensor(name: string): boolean {
  return /^(deberta\.)?(lm_predictions\.|mask_predictions\.|embeddings\.position_ids$)|^(pooler|classifier|qa_outputs)\./.test(name);
}

/** Maps a checkpoint tensor name to the encoder's name (no `deberta.`), or null when it is not an encoder tensor. */
export function debertaV2EncoderParamName(name: string): string | null {
  const n = name.startsWith('deberta.') ? name.slice('deberta.'.length) : name;
  return /^(embeddings|encoder)\./.test(n) ? n : null;
}
