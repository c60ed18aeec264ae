export { RelationHead, type RelationHeadConfig, type RelationHeadInput } from './relation-head';
export { forwardHeads, type HeadsOutput } from './forward-heads';
