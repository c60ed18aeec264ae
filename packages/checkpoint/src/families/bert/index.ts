// BERT (and its checkpoints: SciBERT, BioBERT, bert-base-cased, small BERTs) as a checkpoint family.
import { modelTypeCheck, type CheckpointFamily } from '../../family';
import { bertConfigToJson, makeBertConfig, parseBertConfig, type BertConfig } from './config';
import { initialParamValue } from './init';
import { bertParamSpecs, encoderParamName, isIgnoredCheckpointTensor } from './names';

export { bertConfigToJson, makeBertConfig, parseBertConfig, type BertConfig } from './config';
export { initialParamValue } from './init';
export { bertParamSpecs, encoderParamName, isIgnoredCheckpointTensor } from './names';

const MODEL_TYPE = modelTypeCheck<BertConfig>('bert');

/** True when `config` is a BERT config (its model_type is "bert"). */
export const isBertConfig = MODEL_TYPE.is;

/** `config` as a BertConfig, or an error naming `where` and the model_type it has instead. */
export const asBertConfig = MODEL_TYPE.as;

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
