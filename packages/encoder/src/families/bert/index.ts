// BERT's TF.js layers as an encoder family.
import { checkpointFamily, type BertConfig } from '@spert/checkpoint';
import type { EncoderFamily } from '../../family';
import { BertEncoder } from './bert-encoder';

export { BertEncoder } from './bert-encoder';
export type { BertEncoderOptions, BertInputs } from './bert-encoder';

/** BERT: Hugging Face BertModel on TF.js ops (BertEncoder). */
export const bertEncoderFamily: EncoderFamily = {
  modelType: 'bert',
  create({ config, tensors, seed }) {
    return BertEncoder.create({ config: checkpointFamily<BertConfig>('bert').asConfig(config, 'BERT encoder family'), weights: tensors, seed });
  },
};
