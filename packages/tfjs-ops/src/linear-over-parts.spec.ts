import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { linearOverParts } from './linear-over-parts';
import { randomArray } from '../../../tools/testing/float64';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('linearOverParts', () => {
  it('equals a linear layer on the concatenation (<= 1e-6), with gradients to every part and the weight', () => {
    const parts = [
      tf.tensor2d(Float32Array.from(randomArray(10, 3)), [5, 2]),
      tf.tensor2d(Float32Array.from(randomArray(15, 4)), [5, 3]),
      tf.tensor2d(Float32Array.from(randomArray(5, 5)), [5, 1]),
    ];
    const weight = tf.tensor2d(Float32Array.from(randomArray(24, 6)), [4, 6]);
    const bias = tf.tensor1d(Float32Array.from(randomArray(4, 7)));
    const concat = tf.add(tf.matMul(tf.concat(parts, 1), weight, false, true), bias);
    const ours = linearOverParts(parts, weight, bias);
    expect(tf.max(tf.abs(tf.sub(ours, concat))).dataSync()[0]).toBeLessThanOrEqual(1e-6);
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(linearOverParts([a, b, c] as tf.Tensor2D[], w as tf.Tensor2D, bias)));
    const g = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.add(tf.matMul(tf.concat([a, b, c], 1), w, false, true), bias)));
    const ga = tf.grads(f)([...parts, weight]);
    const gb = tf.grads(g)([...parts, weight]);
    ga.forEach((t, i) => expect(tf.max(tf.abs(tf.sub(t, gb[i]))).dataSync()[0]).toBeLessThanOrEqual(1e-5));
    expect(() => linearOverParts(parts.slice(1), weight, bias)).toThrow(/parts have 4 columns, the weight expects 6/);
  });
});
