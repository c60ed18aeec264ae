// The RoBERTa architecture (model_type roberta, xlm-roberta, camembert) as checkpoint families:
// one family object per model_type, all with the `roberta.` prefix and the same names.
import { SpertError } from '@spert/core';
import type { CheckpointFamily, EncoderConfig } from '../../family';
import { isRobertaModelType, makeRobertaConfig, parseRobertaConfig, ROBERTA_MODEL_TYPES, robertaConfigToJson, robertaMaxSequenceLength, type RobertaConfig, type RobertaModelType } from './config';
import { initialRobertaParamValue } from './init';
import { isIgnoredRobertaTensor, ROBERTA_PREFIX, robertaEncoderParamName, robertaParamSpecs } from './names';

export { isRobertaModelType, makeRobertaConfig, parseRobertaConfig, ROBERTA_MODEL_TYPES, robertaConfigToJson, robertaMaxSequenceLength, type RobertaConfig, type RobertaModelType } from './config';
export { initialRobertaParamValue } from './init';
export { isIgnoredRobertaTensor, ROBERTA_PREFIX, robertaEncoderParamName, robertaParamSpecs } from './names';

/** True when `config` is a RoBERTa-family config (model_type roberta, xlm-roberta or camembert). */
export function isRobertaConfig(config: { model_type: string }): config is RobertaConfig {
  return isRobertaModelType(config.model_type) && typeof (config as Partial<RobertaConfig>).pad_token_id === 'number';
}

/** `config` as a RobertaConfig, or an error naming `where` and the model_type it has instead. */
export function asRobertaConfig(config: EncoderConfig, where: string): RobertaConfig {
  if (!isRobertaConfig(config)) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${where}: config has model_type "${config.model_type}"${isRobertaModelType(config.model_type) ? ' but no pad_token_id (parse it with parseEncoderConfig)' : ''}, expected one of ${Object.keys(ROBERTA_MODEL_TYPES).map((t) => `"${t}"`).join(', ')}`);
  }
  return config;
}

/** The checkpoint family of one RoBERTa model_type: config.json, `roberta.*` names, initialisation, positions. */
export function robertaCheckpointFamilyFor(modelType: RobertaModelType): CheckpointFamily<RobertaConfig> {
  return {
    modelType,
    prefix: ROBERTA_PREFIX,
    // any RoBERTa model_type: the three share one architecture and one TF.js and ONNX implementation
    asConfig: asRobertaConfig,
    parseConfig: parseRobertaConfig,
    makeConfig: (fields) => makeRobertaConfig({ ...fields, model_type: modelType }),
    configToJson: robertaConfigToJson,
    paramSpecs: robertaParamSpecs,
    encoderParamName: robertaEncoderParamName,
    isIgnoredTensor: isIgnoredRobertaTensor,
    initialParamValue: initialRobertaParamValue,
    positionOffset: (config) => config.pad_token_id + 1,
    maxSequenceLength: robertaMaxSequenceLength,
    // roberta-base's tokenizer is a byte-level BPE; XLM-R's and CamemBERT's are SentencePiece models
    // with their own special tokens, which no trainer here lays out, so they are not offered from scratch.
    ...(modelType === 'roberta' ? { tokenizerTrainer: 'byte-level-bpe' as const } : {}),
    // RobertaModel -> RobertaForMaskedLM, XLMRobertaModel -> XLMRobertaForMaskedLM, ...
    maskedLm: { prefix: 'lm_head.', dense: 'dense', layerNorm: 'layer_norm', architecture: ROBERTA_MODEL_TYPES[modelType].replace(/Model$/, 'ForMaskedLM') },
  };
}

/** The RoBERTa architecture's checkpoint families, one per model_type (roberta, xlm-roberta, camembert). */
export const robertaCheckpointFamilies: readonly CheckpointFamily<RobertaConfig>[] = (Object.keys(ROBERTA_MODEL_TYPES) as RobertaModelType[]).map(robertaCheckpointFamilyFor);
