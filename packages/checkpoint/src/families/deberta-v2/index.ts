// DeBERTa-v2 and DeBERTa-v3 (model_type "deberta-v2") as a checkpoint family.
import { modelTypeCheck, type CheckpointFamily } from '../../family';
import { debertaV2ConfigToJson, makeDebertaV2Config, parseDebertaV2Config, type DebertaV2Config } from './config';
import { initialDebertaV2ParamValue } from './init';
import { debertaV2EncoderParamName, debertaV2ParamSpecs, isIgnoredDebertaV2Tensor } from './names';

export { DEBERTA_V3_DEFAULTS, debertaV2ConfigToJson, makeDebertaV2Config, parseDebertaV2Config, relativeGeometry } from './config';
export type { DebertaV2Config, DebertaV2ConfigFields, DebertaV2Options, RelativeGeometry } from './config';
export { initialDebertaV2ParamValue } from './init';
export { debertaV2EncoderParamName, debertaV2ParamSpecs, isIgnoredDebertaV2Tensor, normsRelativeEmbeddings } from './names';
export { logBucketPosition, relativeEmbeddingRow, relativeEmbeddingRows, relativeEmbeddingRowsByOffset, relativePosition } from './relative-position';

const MODEL_TYPE = modelTypeCheck<DebertaV2Config>('deberta-v2');

/** True when `config` is a DeBERTa-v2/v3 config (its model_type is "deberta-v2"). */
export const isDebertaV2Config = MODEL_TYPE.is;

/** `config` as a DebertaV2Config, or an error naming `where` and the model_type it has instead. */
export const asDebertaV2Config = MODEL_TYPE.as;

/** The DeBERTa-v2/v3 family: config.json, DebertaV2Model parameter names (with or without `deberta.`), initialisation. */
export const debertaV2CheckpointFamily: CheckpointFamily<DebertaV2Config> = {
  modelType: 'deberta-v2',
  prefix: 'deberta.',
  asConfig: asDebertaV2Config,
  parseConfig: parseDebertaV2Config,
  makeConfig: makeDebertaV2Config,
  configToJson: debertaV2ConfigToJson,
  paramSpecs: debertaV2ParamSpecs,
  encoderParamName: debertaV2EncoderParamName,
  isIgnoredTensor: isIgnoredDebertaV2Tensor,
  initialParamValue: initialDebertaV2ParamValue,
  // Relative attention has no position table, but the tokenizer (model_max_length) and any absolute table stop here.
  positionOffset: () => 0,
  maxSequenceLength: (config) => config.max_position_embeddings,
  tokenizerTrainer: 'unigram',
  // transformers' DebertaV2ForMaskedLM (4.x before the 4.48 rename) uses BERT's head names.
  maskedLm: { prefix: 'cls.predictions.', dense: 'transform.dense', layerNorm: 'transform.LayerNorm', architecture: 'DebertaV2ForMaskedLM' },
};
