import { epochBatches } from './epoch-batches';
import { Xoshiro128, permutation } from './xoshiro128';

describe('Xoshiro128', () => {
  it('is deterministic per seed and resumes exactly from a saved state', () => {
    const a = new Xoshiro128(42);
    const b = new Xoshiro128(42);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    const state = a.getState();
    const next = Array.from({ length: 5 }, () => a.nextUint32());
    const c = new Xoshiro128(0);
    c.setState(state);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).toEqual(next);
    expect(new Xoshiro128(43).next()).not.toBe(xs[0]);
  });

  it('draws roughly uniform values in [0, 1) and valid permutations', () => {
    const r = new Xoshiro128(1);
    let sum = 0;
    for (let i = 0; i < 10000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10000).toBeCloseTo(0.5, 1);
    expect([...permutation(50, r)].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => r.setState([0, 0, 0, 0])).toThrow(/all-zero/);
    expect(() => r.int(0)).toThrow(/positive integer/);
  });
});

describe('epochBatches', () => {
  it('drops the last incomplete batch and shuffles per (seed, epoch)', () => {
    const e0 = epochBatches({ numItems: 7, batchSize: 2, seed: 5, epoch: 0 });
    expect(e0).toHaveLength(3);
    expect(e0.every((b) => b.length === 2)).toBe(true);
    expect(new Set(e0.flat()).size).toBe(6);
    expect(epochBatches({ numItems: 7, batchSize: 2, seed: 5, epoch: 0 })).toEqual(e0);
    expect(epochBatches({ numItems: 7, batchSize: 2, seed: 5, epoch: 1 })).not.toEqual(e0);
    expect(epochBatches({ numItems: 7, batchSize: 2, seed: 6, epoch: 0 })).not.toEqual(e0);
    expect(epochBatches({ numItems: 5, batchSize: 2, seed: 5, epoch: 0, shuffle: false })).toEqual([[0, 1], [2, 3]]);
    expect(() => epochBatches({ numItems: 5, batchSize: 0, seed: 1, epoch: 0 })).toThrow(/batchSize/);
  });
});
