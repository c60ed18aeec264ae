export { readSettings, settingsToJson, assertSameTypes, SPERT_DEFAULTS, SPERT_VERSION, type SpertSettings, type SpertSettingsJson } from '@spert/core';
export type { DocumentScores } from '@spert/core';
export { SpertModel, readModelSettings, type SpertTrainOutput, type CreateSpertModelOptions, type LoadSpertModelOptions, type PredictOptions, type EncodeDocumentsOptions } from './spert-model';
export { HEAD_TENSOR_NAMES, headTensorsFromCheckpoint } from './head-tensors';
export { saveMaskedLmModel, saveModel, type SaveMaskedLmModelOptions } from './save-model';
export { createScratchEncoder, createScratchModel, describeScratchFamilies, SCRATCH_FAMILIES, type CreateScratchEncoderOptions, type CreateScratchModelOptions, type ScratchEncoderSize, type ScratchFamily } from './scratch-model';
export { openModel, type OpenModelOptions } from './open-model';
