import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './use-backend';

describe('useBackend', () => {
  it('starts the cpu backend', async () => {
    const r = await useBackend('cpu');
    expect(r.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
  it('starts the wasm backend', async () => {
    const r = await useBackend('wasm');
    expect(r.tfBackend).toBe('wasm');
    expect(Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync())).toEqual([11]);
  });
});
