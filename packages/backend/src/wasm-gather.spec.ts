import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './use-backend';
import { isWrapped } from './wrap-kernel';

// The slice-copying GatherV2 (wasm-gather.ts) against the cpu backend's gather: a gather moves
// values, so the results must be identical, for every axis, batchDims, slice sizes on both sides of
// the loop/set switch, int32 and float32 data, and out-of-range indices must be refused.

interface Case { name: string; shape: number[]; dtype: 'float32' | 'int32'; indices: number[]; indicesShape: number[]; axis: number; batchDims: number }

const cases: Case[] = [
  { name: 'rows of a table (axis 0, slice 64)', shape: [5, 64], dtype: 'float32', indices: [4, 0, 0, 2, 4, 1], indicesShape: [6], axis: 0, batchDims: 0 },
  { name: 'rows of a 2-row table (slice 256)', shape: [2, 256], dtype: 'float32', indices: [1, 1, 0, 1, 0], indicesShape: [5], axis: 0, batchDims: 0 },
  { name: 'small slices (axis 0, slice 3)', shape: [4, 3], dtype: 'int32', indices: [3, 2, 2], indicesShape: [3], axis: 0, batchDims: 0 },
  { name: 'middle axis with outer and inner sizes', shape: [3, 6, 5], dtype: 'float32', indices: [5, 0, 3, 3], indicesShape: [2, 2], axis: 1, batchDims: 0 },
  { name: 'last axis (slice 1)', shape: [2, 3, 7], dtype: 'float32', indices: [6, 0, 2], indicesShape: [3], axis: -1, batchDims: 0 },
  { name: 'batchDims 1', shape: [2, 4, 40], dtype: 'float32', indices: [3, 1, 0, 0, 2, 3], indicesShape: [2, 3], axis: 1, batchDims: 1 },
];

async function gatherOn(backend: 'wasm' | 'cpu', c: Case): Promise<{ shape: number[]; values: number[] }> {
  await useBackend(backend);
  const size = c.shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => (c.dtype === 'int32' ? i * 7 - 11 : Math.sin(i) * 1e3));
  return tf.tidy(() => {
    const out = tf.gather(tf.tensor(values, c.shape, c.dtype), tf.tensor(c.indices, c.indicesShape, 'int32'), c.axis, c.batchDims);
    return { shape: out.shape, values: Array.from(out.dataSync()) };
  });
}

describe('GatherV2 on wasm (slice copies)', () => {
  it.each(cases)('equals the cpu backend: $name', async (c) => {
    const want = await gatherOn('cpu', c);
    const got = await gatherOn('wasm', c);
    expect(isWrapped(tf.GatherV2, 'wasm')).toBe(true);
    expect(got.shape).toEqual(want.shape);
    expect(got.values).toEqual(want.values);
  });

  it('refuses an index outside the axis, naming it', async () => {
    await useBackend('wasm');
    expect(() => tf.gather(tf.zeros([3, 4]), tf.tensor1d([0, 3], 'int32'))).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    expect(() => tf.gather(tf.zeros([3, 4]), tf.tensor1d([-1], 'int32'))).toThrow('GatherV2: the index value -1 is not in [0, 2]');
  });

  it('keeps the gradient of gather (embedding rows summed per index)', async () => {
    await useBackend('wasm');
    const table = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32')), tf.tensor2d([[1, 10], [100, 1000], [2, 20]]))))(table);
    expect(Array.from(g.dataSync())).toEqual([100, 1000, 0, 0, 3, 30]);
  });
});
