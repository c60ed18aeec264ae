import { createRng, sampleWithoutReplacement } from './rng';

describe('createRng', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xa = Array.from({ length: 20 }, a);
    expect(Array.from({ length: 20 }, b)).toEqual(xa);
    expect(Array.from({ length: 20 }, c)).not.toEqual(xa);
    for (const x of xa) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });

  it('is roughly uniform (10 bins, 100k draws, chi-square well under the 0.1% critical value 27.9)', () => {
    const rng = createRng(7);
    const bins = new Array<number>(10).fill(0);
    const n = 100000;
    for (let i = 0; i < n; i++) bins[Math.floor(rng() * 10)]++;
    const chi2 = bins.reduce((s, o) => s + (o - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });
});

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
