// The ONNX encoder graphs, keyed by config.json model_type: one line per family.
import { bertOnnxFamily } from './families/bert';
import { robertaOnnxFamilies } from './families/roberta';
import { debertaV2OnnxFamily } from './families/deberta-v2';
import { familyRegistry } from '@spert/checkpoint';
import type { OnnxEncoderFamily } from './family';

const FAMILIES: readonly OnnxEncoderFamily[] = [
  bertOnnxFamily,
  ...robertaOnnxFamilies,
  debertaV2OnnxFamily,
];

const REGISTRY = familyRegistry(FAMILIES);

/** The model_type values that can be exported to ONNX. */
export function registeredOnnxEncoderTypes(): string[] {
  return REGISTRY.types();
}

/** The ONNX family of `modelType`, or an error naming `source` and listing the registered ones. */
export function onnxEncoderFamily(modelType: string, source = 'config.json'): OnnxEncoderFamily {
  return REGISTRY.get(modelType, (registered) => `${source}: model_type "${modelType}" cannot be exported to ONNX; registered encoder families: ${registered}`);
}
