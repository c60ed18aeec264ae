// BERT (and its checkpoints: SciBERT, BioBERT, bert-base-cased, small BERTs) as a checkpoint family.
import type { CheckpointFamily, EncoderConfig } from '../../family';
import { bertConfigToJson, makeBertConfig, parseBertConfig, type BertConfig } from './config';
import { initialParamValue } from './init';
import { bertParamSpecs, encoderParamName, isIgnoredCheckpointTensor } from './names';

export { bertConfigToJson, makeBertConfig, parseBertConfig, type BertConfig } from './config';
export { initialParamValue } from './init';
export { bertParamSpecs, encoderParamName, isIgnoredCheckpointTensor } from './names';

/** True when `config` is a BERT config (its model_type is "bert"). */
export function isBertConfig(config: { model_type: string }): config is BertConfig {
  return config.model_type === 'bert';
}

/** `config` as a BertConfig, or an error naming `where` and the model_type it has instead. */
export function asBertConfig(config: EncoderConfig, where: string): BertConfig {
  if (!isBertConfig(config)) throw new Error(`${where}: config has model_type "${config.model_type}", expected "bert"`);
  return config;
}

/** The BERT family: config.json, Hugging Face BertModel parameter names (with or without `bert.`), initialisation. */
export const bertCheckpointFamily: CheckpointFamily<BertConfig> = {
  modelType: 'bert',
  prefix: 'bert.',
  asConfig: asBertConfig,
  parseConfig: parseBertConfig,
  makeConfig: makeBertConfig,
  configToJson: bertConfigToJson,
  paramSpecs: bertParamSpecs,
  encoderParamName,
  isIgnoredTensor: isIgnoredCheckpointTensor,
  initialParamValue,
  positionOffset: () => 0,
  maxSequenceLength: (config) => config.max_position_embeddings,
  tokenizerTrainer: 'wordpiece',
  maskedLm: { prefix: 'cls.predictions.', dense: 'transform.dense', layerNorm: 'transform.LayerNorm', architecture: 'BertForMaskedLM' },
};
