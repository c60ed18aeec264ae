export type { Range, SpanSample, ShapedArray, SpanBatch } from './types';
export { createRng, sampleWithoutReplacement, type Rng } from './rng';
export { enumerateSpans } from './enumerate-spans';
export { wordSpanToWordpieces } from './wordpiece-range';
export { contextRange } from './context-range';
export { normalizeSymmetricRelations } from './normalize-symmetric';
export { createTrainSample, type TrainSampleOptions } from './train-sample';
export { createEvalSample, type EvalSampleOptions } from './eval-sample';
export { collate } from './collate';
