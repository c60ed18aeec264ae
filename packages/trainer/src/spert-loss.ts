import * as tf from '@tensorflow/tfjs-core';
import { internalError } from '@spert/core';

/** Inputs of {@link spertLoss}: one batch's logits, targets and sample masks. */
export interface SpertLossInputs {
  /** Entity classifier logits [N, E+1] (class 0 = no entity). */
  entityLogits: tf.Tensor2D;
  /** Gold entity class per sample, int32 [N]. */
  entityLabels: tf.Tensor1D;
  /** 1 for real entity samples, 0 for padding, [N]. */
  entityMask: tf.Tensor1D;
  /** Relation classifier logits [M, R] (one sigmoid per relation type). */
  relationLogits: tf.Tensor2D;
  /** Multi-hot relation targets, float32 [M, R]. */
  relationLabels: tf.Tensor2D;
  /** 1 for real relation samples, 0 for padding, [M]. */
  relationMask: tf.Tensor1D;
}

/** The batch loss and its two parts (scalars; the caller owns them). */
export interface SpertLossParts {
  total: tf.Scalar;
  entity: tf.Scalar;
  relation: tf.Scalar;
}

// BCE-with-logits in its stable form softplus(x) - x*z, with torch's analytic gradient
// sigmoid(x) - z: composing relu/abs would give a wrong gradient at exactly x = 0.
const bceWithLogits = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, z, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, z]);
  const value = tf.sub(tf.softplus(x), tf.mul(x, z));
  return {
    value,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sz] = saved;
      return [tf.mul(dy, tf.sub(tf.sigmoid(sx), sz)), tf.neg(tf.mul(dy, sx))];
    },
  };
});

function checkShapes(i: SpertLossInputs): void {
  const fail = (msg: string): never => {
    throw internalError(`spertLoss: ${msg}`);
  };
  const [n, c] = i.entityLogits.shape;
  if (i.entityLogits.rank !== 2) fail(`entityLogits must be [N, E+1], got shape [${i.entityLogits.shape}]`);
  if (i.entityLabels.rank !== 1 || i.entityLabels.shape[0] !== n) fail(`entityLabels must be [${n}] to match entityLogits, got [${i.entityLabels.shape}]`);
  if (i.entityLabels.dtype !== 'int32') fail(`entityLabels must be int32, got ${i.entityLabels.dtype}`);
  if (i.entityMask.rank !== 1 || i.entityMask.shape[0] !== n) fail(`entityMask must be [${n}] to match entityLogits, got [${i.entityMask.shape}]`);
  if (i.relationLogits.rank !== 2) fail(`relationLogits must be [M, R], got shape [${i.relationLogits.shape}]`);
  const [m, r] = i.relationLogits.shape;
  if (i.relationLabels.rank !== 2 || i.relationLabels.shape[0] !== m || i.relationLabels.shape[1] !== r) {
    fail(`relationLabels must be [${m}, ${r}] to match relationLogits, got [${i.relationLabels.shape}]`);
  }
  if (i.relationMask.rank !== 1 || i.relationMask.shape[0] !== m) fail(`relationMask must be [${m}] to match relationLogits, got [${i.relationMask.shape}]`);
  if (n > 0) {
    // Out-of-range labels would silently give a zero one-hot row (a loss of 0).
    const labels = i.entityLabels.dataSync();
    for (let k = 0; k < labels.length; k++) {
      if (labels[k] < 0 || labels[k] >= c) fail(`entityLabels[${k}] = ${labels[k]} is outside the ${c} entity classes`);
    }
  }
}

/**
 * SpERT's training loss (spert/loss.py): masked-mean softmax cross-entropy over entity samples
 * plus masked-mean (over samples) of the type-averaged BCE-with-logits over relation samples.
 * A batch without valid relation samples contributes a relation loss of exactly 0, so the total
 * equals the entity loss as in the reference. With no valid entity samples the entity loss is 0
 * (the reference divides by zero).
 */
export function spertLoss(inputs: SpertLossInputs): SpertLossParts {
  checkShapes(inputs);
  return tf.tidy(() => {
    const { entityLogits, entityLabels, relationLogits, relationLabels } = inputs;
    const entityMask = tf.cast(inputs.entityMask, 'float32');
    const relationMask = tf.cast(inputs.relationMask, 'float32');
    const numClasses = entityLogits.shape[1];
    const ce = tf.neg(tf.sum(tf.mul(tf.logSoftmax(entityLogits), tf.oneHot(entityLabels, numClasses)), 1));
    const entity = tf.div(tf.sum(tf.mul(ce, entityMask)), tf.maximum(tf.sum(entityMask), 1)) as tf.Scalar;
    const r = Math.max(1, relationLogits.shape[1]);
    const perSample = tf.div(tf.sum(bceWithLogits(relationLogits, tf.cast(relationLabels, 'float32')), 1), r);
    const relation = tf.div(tf.sum(tf.mul(perSample, relationMask)), tf.maximum(tf.sum(relationMask), 1)) as tf.Scalar;
    const total = tf.add(entity, relation) as tf.Scalar;
    return { total, entity, relation };
  });
}
