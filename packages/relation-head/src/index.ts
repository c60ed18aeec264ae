export { buildInferencePairs, type InferencePairs } from './inference-pairs';
export { RelationHead, type RelationHeadConfig, type RelationHeadInput } from './relation-head';
export { decodeRelations, type DecodedRelation, type DecodeRelationsOptions } from './decode-relations';
export { buildPrediction, type BuildPredictionOptions } from './build-prediction';
export { forwardHeads, type HeadsOutput } from './forward-heads';
