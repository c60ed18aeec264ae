import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@spert/checkpoint';
import { SpertError, type SpertSettings } from '@spert/core';

/** Parameters of SpERT's heads, under the reference's names. */
export const HEAD_TENSOR_NAMES = [
  'entity_classifier.weight',
  'entity_classifier.bias',
  'rel_classifier.weight',
  'rel_classifier.bias',
  'size_embeddings.weight',
] as const;

/** The heads' parameter names of a model with these settings: the reference's, plus `rel_type_embeddings.weight` with relation_entity_types "embedding". */
export function headTensorNames(settings: Pick<SpertSettings, 'relationEntityTypes'>): readonly string[] {
  return settings.relationEntityTypes === 'embedding' ? [...HEAD_TENSOR_NAMES, 'rel_type_embeddings.weight'] : HEAD_TENSOR_NAMES;
}

/**
 * Picks the heads' tensors out of a checkpoint's non-encoder tensors; a missing head tensor or an
 * unknown extra tensor is an error that names it (a plain BERT checkpoint has no heads: build a
 * fresh model around its encoder instead).
 */
export function headTensorsFromCheckpoint(extra: Map<string, NamedTensor>, source: string, names: readonly string[] = HEAD_TENSOR_NAMES): Map<string, NamedTensor> {
  const missing = names.filter((n) => !extra.has(n));
  if (missing.length > 0) {
    throw new SpertError('INVALID_CHECKPOINT',
      `${source}: not a SpERT model: missing ${missing.join(', ')} (to fine-tune a plain BERT checkpoint, pass it as the encoder of a new model)`,
    );
  }
  const unexpected = [...extra.keys()].filter((n) => !names.includes(n));
  if (unexpected.length > 0) {
    const hint = unexpected.includes('rel_type_embeddings.weight') ? ' (rel_type_embeddings.weight belongs to a model with spert.relation_entity_types "embedding"; config.json does not say so)' : '';
    throw new SpertError('INVALID_CHECKPOINT', `${source}: unexpected tensors ${unexpected.join(', ')}${hint}`);
  }
  return new Map(names.map((n) => [n, extra.get(n) as NamedTensor]));
}

/** Wraps named arrays as float32 tfjs tensors (the caller disposes them). */
export function toTfTensors(tensors: Map<string, NamedTensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, t] of tensors) out.set(k, tf.tensor(Float32Array.from(t.data), t.shape, 'float32'));
  return out;
}
