// The RoBERTa architecture's TF.js layers as encoder families (roberta, xlm-roberta, camembert).
import { checkpointFamily, ROBERTA_MODEL_TYPES, type RobertaConfig, type RobertaModelType } from '@spert/checkpoint';
import type { EncoderFamily } from '../../family';
import { RobertaEncoder } from './roberta-encoder';

export { RobertaEncoder } from './roberta-encoder';
export type { RobertaEncoderOptions } from './roberta-encoder';

/** The TF.js family of one RoBERTa model_type: Hugging Face RobertaModel on TF.js ops (RobertaEncoder). */
export function robertaEncoderFamilyFor(modelType: RobertaModelType): EncoderFamily {
  return {
    modelType,
    create({ config, tensors, seed }) {
      return RobertaEncoder.create({ config: checkpointFamily<RobertaConfig>(modelType).asConfig(config, `RoBERTa encoder family (${modelType})`), weights: tensors, seed });
    },
  };
}

/** The RoBERTa architecture's TF.js families, one per model_type (roberta, xlm-roberta, camembert). */
export const robertaEncoderFamilies: readonly EncoderFamily[] = (Object.keys(ROBERTA_MODEL_TYPES) as RobertaModelType[]).map(robertaEncoderFamilyFor);
