// The RoBERTa architecture's encoder graph as ONNX encoder families (roberta, xlm-roberta, camembert).
import { ROBERTA_MODEL_TYPES, type RobertaModelType } from '@spert/checkpoint';
import type { OnnxEncoderFamily } from '../../family';
import { buildRobertaEncoderGraph } from './encoder-graph';

export { buildRobertaEncoderGraph, type RobertaEncoderShape } from './encoder-graph';

/** The RoBERTa architecture's ONNX families, one per model_type: Hugging Face RobertaModel as standard ONNX ops. */
export const robertaOnnxFamilies: readonly OnnxEncoderFamily[] = (Object.keys(ROBERTA_MODEL_TYPES) as RobertaModelType[]).map((modelType) => ({
  modelType,
  buildGraph: buildRobertaEncoderGraph,
}));
