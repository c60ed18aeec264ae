// Building blocks every encoder family's TF.js layers share.
import * as tf from '@tensorflow/tfjs-core';

/** Throws, naming the class, the entry and the config field, when an id of `t` is outside [0, limit). */
export function checkIdRange(t: tf.Tensor2D, limit: number, what: string, field: string, className: string): void {
  const d = t.dataSync();
  for (let i = 0; i < d.length; i++) {
    if (d[i] < 0 || d[i] >= limit) throw new Error(`${className}.apply: ${what}[${Math.floor(i / t.shape[1])}][${i % t.shape[1]}] = ${d[i]} is outside [0, ${limit}) (config ${field})`);
  }
}
