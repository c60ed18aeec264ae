export { SpertOnnxRuntime } from './runtime';
export { ONNX_FILES } from './onnx-files';
export { loadModelTokenizer, type LoadModelTokenizerOptions } from './model-tokenizer';
export type { ExecutionProvider, SpertOnnxLoadOptions, SpertOnnxMetadata, TextPrediction, RawDocumentOutput } from './runtime-types';
export { buildEncoderGraph, type BuildEncoderOptions, type EncoderShape } from './export-encoder';
export type { OnnxEncoderFamily } from './family';
export { onnxEncoderFamily, registeredOnnxEncoderTypes } from './registry';
export { bertOnnxFamily, buildBertEncoderGraph } from './families/bert';
export { buildRobertaEncoderGraph, robertaOnnxFamilies, type RobertaEncoderShape } from './families/roberta';
export { debertaV2OnnxFamily, buildDebertaV2EncoderGraph } from './families/deberta-v2';
export { buildEntityHeadGraph, buildRelationHeadGraph, type BuildHeadOptions } from './export-heads';
export { randomSpertWeights, writeRandomSpertModel, type RandomWeightsOptions, type RandomSpertModelOptions } from './random-weights';
export type { WeightMap, WeightTensor } from './weights';
export { OPSET } from './graph-builder';
export { exportSpertOnnx, readCheckpointWeights, type ExportSpertOnnxOptions, type ExportResult } from './export-model';
export { quantizeColumns, type Quantization } from './quantize';
export {
  scoreSpansWithOrt,
  relationHeadInputs,
  int64Tensor,
  type OrtScoringContext,
  type OrtSessionLike,
  type OrtSessions,
  type OrtTensorClass,
  type OrtTensorLike,
  type RelationHeadInputs,
} from './ort-scoring';
