// The TF.js encoder families, keyed by config.json `model_type`: one line per family. The
// tensor-free half of each family (config, parameter names) is registered in @spert/checkpoint.
import { registeredModelTypes as checkpointModelTypes } from '@spert/checkpoint';
import { bertEncoderFamily } from './families/bert';
import { robertaEncoderFamilies } from './families/roberta';
import { debertaV2EncoderFamily } from './families/deberta-v2';
import type { CreateEncoderOptions, Encoder, EncoderFamily } from './family';

const FAMILIES: readonly EncoderFamily[] = [
  bertEncoderFamily,
  ...robertaEncoderFamilies,
  debertaV2EncoderFamily,
];

const BY_TYPE = new Map(FAMILIES.map((f) => [f.modelType, f]));

/** The model_type values with a TF.js encoder. */
export function registeredEncoderTypes(): string[] {
  return [...BY_TYPE.keys()];
}

/** The TF.js family of `modelType`, or an error listing the registered ones. */
export function encoderFamily(modelType: string, source = 'createEncoder'): EncoderFamily {
  const family = BY_TYPE.get(modelType);
  if (!family) {
    const readable = checkpointModelTypes().includes(modelType) ? ` (its checkpoints can be read, but @spert/encoder has no TF.js layers for it)` : '';
    throw new Error(
      `${source}: model_type "${modelType}" is not supported${readable}; registered encoder families: ${registeredEncoderTypes().map((t) => `"${t}"`).join(', ')}`,
    );
  }
  return family;
}

/** Builds the encoder of `config.model_type`'s family, from checkpoint tensors or randomly initialised (seeded). */
export function createEncoder(options: CreateEncoderOptions): Encoder {
  return encoderFamily(options.config.model_type).create(options);
}
