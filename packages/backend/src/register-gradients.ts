import * as tf from '@tensorflow/tfjs-core';
import { gradConfigs } from '../vendor/tfjs-gradients.cjs';

// @tensorflow/tfjs-core's CommonJS build (what Node and jest load) registers no gradients at all;
// only the ES build's register_all_gradients or the @tensorflow/tfjs union package does. Without
// this, every tf.grad fails with "gradient function not found".

/** Registers tfjs-core's gradients that nobody registered yet (idempotent); returns how many it added. */
export function registerMissingGradients(): number {
  let added = 0;
  for (const config of gradConfigs) {
    if (tf.getGradient(config.kernelName) != null) continue;
    tf.registerGradient(config);
    added++;
  }
  return added;
}
