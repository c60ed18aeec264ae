import { createRng } from '@spert/core';
import { sampleWithoutReplacement } from './sample-without-replacement';

describe('sampleWithoutReplacement', () => {
  const items = Array.from({ length: 30 }, (_, i) => i);

  it('draws k distinct items', () => {
    const s = sampleWithoutReplacement(items, 10, createRng(1));
    expect(s).toHaveLength(10);
    expect(new Set(s).size).toBe(10);
    for (const x of s) expect(items).toContain(x);
  });

  it('takes all items when fewer than k exist, and none for k = 0', () => {
    expect(sampleWithoutReplacement(items, 100, createRng(1)).sort((a, b) => a - b)).toEqual(items);
    expect(sampleWithoutReplacement(items, 0, createRng(1))).toEqual([]);
    expect(sampleWithoutReplacement([], 5, createRng(1))).toEqual([]);
  });

  it('gives every item the same inclusion probability k/n', () => {
    const rng = createRng(3);
    const counts = new Array<number>(30).fill(0);
    const trials = 20000;
    for (let t = 0; t < trials; t++) for (const x of sampleWithoutReplacement(items, 5, rng)) counts[x]++;
    const expected = (trials * 5) / 30;
    for (const c of counts) expect(Math.abs(c - expected) / expected).toBeLessThan(0.06);
  });

  it('does not modify its input', () => {
    const copy = items.slice();
    sampleWithoutReplacement(items, 10, createRng(5));
    expect(items).toEqual(copy);
  });
});
