import type * as tf from '@tensorflow/tfjs-core';
import type { EntityHead } from '@spert/entity-head';
import type { SpanBatch } from '@spert/span-sampler';
import type { RelationHead } from './relation-head';

/** Logits of both heads for one batch: entities [B, S, E+1], relations [B, P, R]. */
// A type alias, not an interface: tf.tidy accepts only types that fit its TensorContainer index signature.
export type HeadsOutput = {
  entityLogits: tf.Tensor3D;
  relationLogits: tf.Tensor3D;
};

/**
 * Runs SpERT's two heads on the encoder's hidden states: the entity head pools the batch's spans,
 * and the relation head reuses those pools and width embeddings for its pairs and contexts.
 */
export function forwardHeads(heads: { entity: EntityHead; relation: RelationHead }, hidden: tf.Tensor3D, batch: SpanBatch, training: boolean): HeadsOutput {
  const ent = heads.entity.forward({ hidden, spanRanges: batch.spanRanges, spanWidths: batch.spanWidths, training });
  const relationLogits = heads.relation.forward({
    hidden,
    spanPool: ent.spanPool,
    widthEmbeddings: ent.widthEmbeddings,
    pairs: batch.pairIndices,
    contexts: batch.pairContexts,
    // In training the gold types (0 for sampled negative spans); the pipeline passes predicted ones at inference.
    ...(heads.relation.typeEmbeddings ? { spanTypes: batch.spanLabels } : {}),
    training,
  });
  return { entityLogits: ent.logits, relationLogits };
}
