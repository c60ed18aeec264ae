export { filterSpans, toRows, type FilteredSpans, type FilterSpansOptions } from './decode/filter-spans';
export { decodeRelations, type DecodedRelation, type DecodeRelationsOptions } from './decode/decode-relations';
export { buildPrediction, type BuildPredictionOptions } from './decode/build-prediction';
export { relationDecoding, type RelationDecoding } from './decode/relation-decoding';
export { scoreDocuments, type ScoreDocumentsOptions } from './score-documents';
export { planWindows, mergeWindowPredictions, type WindowOptions, type PlanWindowsOptions, type WindowPrediction } from './windows';
export {
  predictDocuments,
  scoreWords,
  decodeScores,
  PIPELINE_DEFAULTS,
  TOO_LONG_POLICIES,
  type PipelineOptions,
  type PredictDocumentsOptions,
  type ScoreWordsOptions,
  type TooLongPolicy,
} from './predict';
export type { PipelineTokenizer } from './tokenizer-contract';
export { createPredictor, createBatchingPredictor, type CreatePredictorOptions, type BatchingOptions, type BatchingPredictor } from './predictor';
export { MicroBatcher, type MicroBatcherOptions, type BatchStats, type Timers } from './micro-batcher';
