export * from './safetensors';
export { readPytorchBin, readStateDictPickle } from './pytorch-bin';
export type { StorageRef, TensorRef } from './pytorch-bin';
export { assertFiniteTensors } from './non-finite';
export { nodeFs, writeFileAtomic } from './checkpoint-fs';
export type { CheckpointFs } from './checkpoint-fs';
export { loadCheckpoint, saveCheckpoint, splitCheckpointTensors } from './checkpoint';
export type { Checkpoint, LoadCheckpointOptions, SaveCheckpointOptions } from './checkpoint';
export { writeRandomCheckpoint, syntheticVocab } from './random-checkpoint';
export type { RandomCheckpointOptions } from './random-checkpoint';
export { resolveModelDir } from './hub';
export type { ResolveModelOptions } from './hub';
export { initRng } from './random';
export { transpose2d } from './transpose';
export { initialMaskedLmParamValue, maskedLmParamNames, maskedLmParamSpecs, maskedLmTensorRole } from './masked-lm';
export type { MaskedLmHeadNames, MaskedLmHeadParams, MaskedLmTensorRole } from './masked-lm';
export type { CheckpointFamily, EncoderConfig, EncoderConfigFields, EncoderSizes, ParamSpec, ParamLayout } from './family';
export {
  checkpointFamily,
  DEFAULT_MODEL_TYPE,
  encoderConfigToJson,
  familyOfConfig,
  makeEncoderConfig,
  parseEncoderConfig,
  registeredModelTypes,
} from './registry';
export {
  asBertConfig,
  bertCheckpointFamily,
  bertConfigToJson,
  bertParamSpecs,
  encoderParamName,
  initialParamValue,
  isBertConfig,
  isIgnoredCheckpointTensor,
  makeBertConfig,
  parseBertConfig,
} from './families/bert';
export type { BertConfig } from './families/bert';
export {
  asRobertaConfig,
  initialRobertaParamValue,
  isIgnoredRobertaTensor,
  isRobertaConfig,
  isRobertaModelType,
  makeRobertaConfig,
  parseRobertaConfig,
  ROBERTA_MODEL_TYPES,
  ROBERTA_PREFIX,
  robertaCheckpointFamilies,
  robertaConfigToJson,
  robertaEncoderParamName,
  robertaMaxSequenceLength,
  robertaParamSpecs,
} from './families/roberta';
export type { RobertaConfig, RobertaModelType } from './families/roberta';
export * from './families/deberta-v2';
