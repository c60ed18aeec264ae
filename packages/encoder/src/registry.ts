// The TF.js encoder families, keyed by config.json `model_type`: one line per family. The
// tensor-free half of each family (config, parameter names) is registered in @spert/checkpoint.
import { familyRegistry, registeredModelTypes as checkpointModelTypes } from '@spert/checkpoint';
import { bertEncoderFamily } from './families/bert';
import { robertaEncoderFamilies } from './families/roberta';
import { debertaV2EncoderFamily } from './families/deberta-v2';
import type { CreateEncoderOptions, Encoder, EncoderFamily } from './family';

const FAMILIES: readonly EncoderFamily[] = [
  bertEncoderFamily,
  ...robertaEncoderFamilies,
  debertaV2EncoderFamily,
];

const REGISTRY = familyRegistry(FAMILIES);

/** The model_type values with a TF.js encoder. */
export function registeredEncoderTypes(): string[] {
  return REGISTRY.types();
}

/** The TF.js family of `modelType`, or an error listing the registered ones. */
export function encoderFamily(modelType: string, source = 'createEncoder'): EncoderFamily {
  return REGISTRY.get(modelType, (registered) => {
    const readable = checkpointModelTypes().includes(modelType) ? ` (its checkpoints can be read, but @spert/encoder has no TF.js layers for it)` : '';
    return `${source}: model_type "${modelType}" is not supported${readable}; registered encoder families: ${registered}`;
  });
}

/** Builds the encoder of `config.model_type`'s family, from checkpoint tensors or randomly initialised (seeded). */
export function createEncoder(options: CreateEncoderOptions): Encoder {
  return encoderFamily(options.config.model_type).create(options);
}
