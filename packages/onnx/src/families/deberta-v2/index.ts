// DeBERTa-v2/v3's encoder graph as an ONNX encoder family.
import type { OnnxEncoderFamily } from '../../family';
import { buildDebertaV2EncoderGraph } from './encoder-graph';

export { buildDebertaV2EncoderGraph } from './encoder-graph';

/** DeBERTa-v2/v3: Hugging Face DebertaV2Model as standard ONNX ops. */
export const debertaV2OnnxFamily: OnnxEncoderFamily = {
  modelType: 'deberta-v2',
  buildGraph: buildDebertaV2EncoderGraph,
};
