import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from './use-backend';
import { gelu } from './gelu';

// A wasm backend that tfjs started itself (before useBackend could put its heap in a shared
// memory): the kernels must still run, in place on the calling thread, with the same results.

describe('wasm backend started as shipped (unshared heap)', () => {
  it('runs matMul and GELU through the engine on one thread and reports it', async () => {
    await tf.setBackend('wasm');
    await tf.ready();
    const report = await useBackend('wasm');
    expect(report.sharedHeap).toBe(false);
    expect(report.matMulThreads).toBe(1);
    const a = tf.tensor2d(Array.from({ length: 96 * 200 }, (_, i) => Math.sin(i)), [96, 200]);
    const b = tf.tensor2d(Array.from({ length: 120 * 200 }, (_, i) => Math.cos(i)), [120, 200]);
    const onWasm = tf.matMul(a, b, false, true).dataSync();
    const g = gelu(tf.tensor1d([-2, -0.5, 0, 0.5, 2])).dataSync();
    await useBackend('cpu');
    const onCpu = tf.matMul(tf.tensor2d(a.dataSync(), [96, 200]), tf.tensor2d(b.dataSync(), [120, 200]), false, true).dataSync();
    let err = 0;
    for (let i = 0; i < onCpu.length; i++) err = Math.max(err, Math.abs(onCpu[i] - onWasm[i]));
    expect(err).toBeLessThanOrEqual(1e-4);
    const gCpu = gelu(tf.tensor1d([-2, -0.5, 0, 0.5, 2])).dataSync();
    for (let i = 0; i < 5; i++) expect(Math.abs(g[i] - gCpu[i])).toBeLessThanOrEqual(1e-6);
  });
});
