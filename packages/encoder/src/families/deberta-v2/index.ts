// DeBERTa-v2/v3's TF.js layers as an encoder family.
import { checkpointFamily, type DebertaV2Config } from '@spert/checkpoint';
import type { EncoderFamily } from '../../family';
import { DebertaV2Encoder } from './deberta-v2-encoder';

export { DebertaV2Encoder } from './deberta-v2-encoder';
export type { DebertaV2EncoderOptions } from './deberta-v2-encoder';

/** DeBERTa-v2/v3: Hugging Face DebertaV2Model on TF.js ops (DebertaV2Encoder). */
export const debertaV2EncoderFamily: EncoderFamily = {
  modelType: 'deberta-v2',
  create({ config, tensors, seed }) {
    return DebertaV2Encoder.create({ config: checkpointFamily<DebertaV2Config>('deberta-v2').asConfig(config, 'DeBERTa-v2 encoder family'), weights: tensors, seed });
  },
};
