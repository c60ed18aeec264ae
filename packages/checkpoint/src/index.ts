export * from './safetensors';
export { readPytorchBin, readStateDictPickle } from './pytorch-bin';
export type { StorageRef, TensorRef } from './pytorch-bin';
export { assertFiniteTensors } from './non-finite';
export { nodeFs } from './checkpoint-fs';
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
export type { CheckpointFamily, EncoderConfig, EncoderConfigFields, EncoderSizes, ParamSpec, ParamLayout, TokenizerTrainerKind } from './family';
export {
  checkpointFamily,
  DEFAULT_MODEL_TYPE,
  encoderConfigToJson,
  encoderMaxLength,
  familyOfConfig,
  familyRegistry,
  makeEncoderConfig,
  makeEncoderConfigForLength,
  parseEncoderConfig,
  registeredModelTypes,
  scratchModelTypes,
  type FamilyRegistry,
} from './registry';
// Each family's own code is reached through the registry (checkpointFamily(model_type)); what is
// exported per family is its config type and typed constructors, and what the family's TF.js and
// ONNX halves share beyond the descriptor (DeBERTa's relative-position geometry).
export { makeBertConfig, parseBertConfig } from './families/bert';
export type { BertConfig } from './families/bert';
export { makeRobertaConfig, parseRobertaConfig, ROBERTA_MODEL_TYPES } from './families/roberta';
export type { RobertaConfig, RobertaModelType } from './families/roberta';
export {
  makeDebertaV2Config,
  normsRelativeEmbeddings,
  parseDebertaV2Config,
  relativeEmbeddingRows,
  relativeEmbeddingRowsByOffset,
  relativeGeometry,
} from './families/deberta-v2';
export type { DebertaV2Config, DebertaV2ConfigFields, DebertaV2Options, RelativeGeometry } from './families/deberta-v2';
