// TF.js encoders behind a registry keyed by config.json model_type (BERT, RoBERTa/XLM-R/CamemBERT,
// DeBERTa-v2/v3), and every family's masked-LM head for pre-training.
export type { ApplyOptions, CreateEncoderOptions, Encoder, EncoderFamily, EncoderInputs, ToTensorsOptions } from './family';
export { createEncoder, encoderFamily, registeredEncoderTypes } from './registry';
export { BertEncoder, bertEncoderFamily } from './families/bert';
export type { BertEncoderOptions, BertInputs } from './families/bert';
export { RobertaEncoder, robertaEncoderFamilies } from './families/roberta';
export type { RobertaEncoderOptions } from './families/roberta';
export { DebertaV2Encoder, debertaV2EncoderFamily } from './families/deberta-v2';
export type { DebertaV2EncoderOptions } from './families/deberta-v2';
// The bases a new family's encoder extends (see docs/architecture.md, "add a family").
export { ParamEncoder, type InputLimits, type PassDropout, type PassShape } from './families/param-encoder';
export { PostLnEncoder, type PostLnEncoderOptions, type PostLnFamily } from './families/post-ln/post-ln-encoder';
export { EncoderParams, initialParamValues, type InitialParamValuesOptions } from './encoder-params';
export { loadEncoder, loadBertEncoder } from './load';
export { loadMaskedLm, MaskedLmHead, maskedLmLoss, saveMaskedLm, WORD_EMBEDDINGS } from './masked-lm';
export type { LoadMaskedLmOptions, MaskedLmBatch, MaskedLmHeadOptions, MaskedLmLoss, SaveMaskedLmOptions } from './masked-lm';
export type { LoadEncoderOptions, LoadBertEncoderOptions } from './load';
