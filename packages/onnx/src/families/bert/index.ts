// BERT's encoder graph as an ONNX encoder family.
import type { OnnxEncoderFamily } from '../../family';
import { buildBertEncoderGraph } from './encoder-graph';

export { buildBertEncoderGraph } from './encoder-graph';

/** BERT: Hugging Face BertModel as standard ONNX ops. */
export const bertOnnxFamily: OnnxEncoderFamily = {
  modelType: 'bert',
  buildGraph: buildBertEncoderGraph,
};
