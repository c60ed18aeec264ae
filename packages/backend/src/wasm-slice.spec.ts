import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from './use-backend';
import { isWrapped } from './wrap-kernel';

// The in-place wasm Slice (wasm-slice.ts) against the cpu backend's slice: a slice moves values, so
// the results must be identical for every rank from 1 to 5 (tfjs refuses to slice a scalar), contiguous and strided slices, size -1
// ("to the end"), an empty slice, and float32, int32 and bool data.

interface Case { name: string; shape: number[]; dtype: 'float32' | 'int32' | 'bool'; begin: number[]; size: number[] }

const cases: Case[] = [
  { name: 'a range of a vector', shape: [10], dtype: 'int32', begin: [3], size: [5] },
  { name: 'columns of a weight (linearOverParts)', shape: [5, 793], dtype: 'float32', begin: [0, 256], size: [5, 25] },
  { name: 'rows (contiguous)', shape: [6, 4], dtype: 'float32', begin: [2, 0], size: [3, -1] },
  { name: 'a block of a rank-3 tensor', shape: [3, 6, 5], dtype: 'float32', begin: [1, 2, 1], size: [2, 3, -1] },
  { name: 'rank 4, bool', shape: [2, 3, 4, 5], dtype: 'bool', begin: [1, 0, 2, 1], size: [1, 3, 2, 3] },
  { name: 'rank 5', shape: [2, 2, 3, 2, 4], dtype: 'int32', begin: [0, 1, 1, 0, 2], size: [2, 1, 2, 2, 2] },
  { name: 'empty', shape: [4, 3], dtype: 'float32', begin: [1, 1], size: [0, 2] },
];

async function sliceOn(backend: 'wasm' | 'cpu', c: Case): Promise<{ shape: number[]; values: number[] }> {
  await useBackend(backend);
  const n = c.shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (c.dtype === 'float32' ? Math.sin(i) * 1e3 : c.dtype === 'int32' ? i * 7 - 11 : i % 3 === 0 ? 1 : 0));
  return tf.tidy(() => {
    const out = tf.slice(tf.tensor(values, c.shape, c.dtype), c.begin, c.size);
    return { shape: out.shape, values: Array.from(out.dataSync()) };
  });
}

describe('Slice on wasm (in place)', () => {
  afterAll(async () => { await useBackend('cpu'); });

  it.each(cases)('equals the cpu backend: $name', async (c) => {
    const want = await sliceOn('cpu', c);
    const got = await sliceOn('wasm', c);
    expect(isWrapped(tf.Slice, 'wasm')).toBe(true);
    expect(got.shape).toEqual(want.shape);
    expect(got.values).toEqual(want.values);
  });

  it('keeps the gradient of slice (zeros around the slice)', async () => {
    const grad = async (backend: 'wasm' | 'cpu') => {
      await useBackend(backend);
      return tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.slice(x, [1, 2], [2, 3]), tf.reshape(tf.range(1, 7), [2, 3]))))(tf.ones([4, 6])).dataSync()));
    };
    const want = await grad('cpu');
    expect(await grad('wasm')).toEqual(want);
    expect(want.filter((v) => v !== 0)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
