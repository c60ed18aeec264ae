import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('joins concurrent submissions into one run and splits results back in order', async () => {
    const runs: number[][] = [];
    const b = new MicroBatcher<number, number>({ run: async (xs) => (runs.push(xs), xs.map((x) => x * 10)), maxBatch: 100, maxWaitMs: 5 });
    const [a, c, d] = await Promise.all([b.submit([1, 2]), b.submit([3]), b.submit([4, 5, 6])]);
    expect(a).toEqual([10, 20]);
    expect(c).toEqual([30]);
    expect(d).toEqual([40, 50, 60]);
    expect(runs).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(b.stats).toEqual({ calls: 1, items: 6, largest: 6 });
  });

  it('runs as soon as maxBatch items wait, without waiting for the timer, and splits big submissions', async () => {
    const runs: number[][] = [];
    const timers = { setTimeout: jest.fn(() => 1), clearTimeout: jest.fn() };
    const b = new MicroBatcher<number, number>({ run: async (xs) => (runs.push(xs), xs), maxBatch: 2, maxWaitMs: 1e9, timers });
    // The timer never fires: full batches start at once and the remainder follows the running batch.
    expect(await b.submit([1, 2, 3, 4, 5])).toEqual([1, 2, 3, 4, 5]);
    expect(runs).toEqual([[1, 2], [3, 4], [5]]);
    expect(b.stats.largest).toBe(2);
  });

  it('runs a lone item when the wait expires', async () => {
    const runs: number[][] = [];
    const b = new MicroBatcher<number, number>({ run: async (xs) => (runs.push(xs), xs), maxBatch: 8, maxWaitMs: 20 });
    const t0 = Date.now();
    expect(await b.submit([7])).toEqual([7]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    expect(runs).toEqual([[7]]);
  });

  it('queues items that arrive while a batch runs and runs them together next', async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const b = new MicroBatcher<number, number>({
      run: async (xs) => {
        runs.push(xs);
        if (runs.length === 1) await gate;
        return xs;
      },
      maxBatch: 10,
      maxWaitMs: 0,
    });
    const first = b.submit([1]);
    await new Promise((r) => setTimeout(r, 5));
    const rest = [b.submit([2]), b.submit([3]), b.submit([4])];
    release();
    expect(await first).toEqual([1]);
    expect(await Promise.all(rest)).toEqual([[2], [3], [4]]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('isolates a failing caller: the batch is re-run per caller and only the bad one rejects', async () => {
    const b = new MicroBatcher<number, number>({
      run: async (xs) => {
        if (xs.includes(-1)) throw new Error('negative');
        return xs;
      },
      maxBatch: 10,
      maxWaitMs: 2,
    });
    const good = b.submit([1, 2]);
    const bad = b.submit([3, -1]);
    const good2 = b.submit([4]);
    await expect(bad).rejects.toThrow('negative');
    expect(await good).toEqual([1, 2]);
    expect(await good2).toEqual([4]);
    expect(b.stats.calls).toBe(4);
  });

  it('rejects when run breaks its contract, and validates its options', async () => {
    const b = new MicroBatcher<number, number>({ run: async () => [1], maxBatch: 4, maxWaitMs: 0 });
    await expect(b.submit([1, 2])).rejects.toThrow('run returned 1 results for 2 items');
    expect(() => new MicroBatcher({ run: async (x: number[]) => x, maxBatch: 0, maxWaitMs: 1 })).toThrow('maxBatch');
    expect(() => new MicroBatcher({ run: async (x: number[]) => x, maxBatch: 1, maxWaitMs: NaN })).toThrow('maxWaitMs');
    expect(await b.submit([])).toEqual([]);
  });
});
