import { isSpertError, SpertError } from '@spert/core';
import { BertWordPieceTokenizer, SequenceTooLongError } from '@spert/tokenizer';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher';

// A run that encodes each document with a real tokenizer of 8 positions, numbering documents as
// the pipeline does (their index in the batch): "ab" is two wordpieces, so four of them do not fit
// where four "a" do, with the same number of words.
function encodingBatcher(o: { maxBatch?: number } = {}): { b: MicroBatcher<string[], number>; runs: string[][][] } {
  const tokenizer = new BertWordPieceTokenizer({ vocab: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', '##b', 'mary', 'met'], lowercase: true, maxLength: 8 });
  const runs: string[][][] = [];
  const b = new MicroBatcher<string[], number>({
    run: async (docs) => {
      runs.push(docs);
      return docs.map((words, documentIndex) => tokenizer.encodeWords(words, { documentIndex }).inputIds.length);
    },
    maxBatch: o.maxBatch ?? 16,
    maxWaitMs: 5,
  });
  return { b, runs };
}
const fits = ['a', 'a', 'a', 'a'];
const tooLong = ['ab', 'ab', 'ab', 'ab'];

// A batcher whose first run is held until `release()`: what queues meanwhile shows the policy.
function firstRunHeld(o: Omit<MicroBatcherOptions<number, number>, 'run'>): { b: MicroBatcher<number, number>; runs: number[][]; release: () => void } {
  const runs: number[][] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const b = new MicroBatcher<number, number>({
    ...o,
    run: async (xs) => {
      runs.push(xs);
      if (runs.length === 1) await gate;
      return xs;
    },
  });
  return { b, runs, release };
}

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
    const { b, runs, release } = firstRunHeld({ maxBatch: 10, maxWaitMs: 0 });
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

  it('runs up to `concurrency` batches at once, never more, and drain waits for all of them', async () => {
    const runs: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    const b = new MicroBatcher<number, number>({
      run: async (xs) => {
        runs.push(xs);
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise<void>((r) => gates.push(r));
        inFlight -= 1;
        return xs.map((x) => -x);
      },
      maxBatch: 2,
      maxWaitMs: 0,
      concurrency: 2,
    });
    const out = b.submit([1, 2, 3, 4, 5, 6, 7]);
    await new Promise((r) => setTimeout(r, 5));
    // Two full batches started at once; the rest waits for a free slot.
    expect(runs).toEqual([[1, 2], [3, 4]]);
    expect(b.pending).toBe(3);
    const drained = b.drain();
    while (runs.length < 4 || gates.length > 0) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 1));
    }
    await drained;
    expect(await out).toEqual([-1, -2, -3, -4, -5, -6, -7]);
    expect(runs).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    expect(most).toBe(2);
    expect(b.pending).toBe(0);
  });

  it('shares a full queue evenly between the free slots instead of one batch of everything', async () => {
    const runs: number[][] = [];
    const gates: Array<() => void> = [];
    const b = new MicroBatcher<number, number>({
      run: async (xs) => {
        runs.push(xs);
        await new Promise<void>((r) => gates.push(r));
        return xs;
      },
      maxBatch: 32,
      maxWaitMs: 5,
      concurrency: 2,
    });
    const all = Array.from({ length: 16 }, (_, i) => b.submit([i]));
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]]);
    gates.forEach((g) => g());
    expect((await Promise.all(all)).flat()).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('with a free slot, a lone item still waits maxWaitMs for company next to a running batch', async () => {
    const { b, runs, release } = firstRunHeld({ maxBatch: 10, maxWaitMs: 10, concurrency: 2 });
    const first = b.submit([1]);
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toEqual([[1]]);
    const second = b.submit([2]);
    const third = b.submit([3]);
    // The first batch still runs: the two newcomers go together in the second slot after the wait.
    expect(await Promise.all([second, third])).toEqual([[2], [3]]);
    expect(runs).toEqual([[1], [2, 3]]);
    release();
    expect(await first).toEqual([1]);
    expect(() => new MicroBatcher({ run: async (x: number[]) => x, maxBatch: 1, maxWaitMs: 1, concurrency: 0 })).toThrow('concurrency');
  });

  it('rejects when run breaks its contract, and validates its options', async () => {
    const b = new MicroBatcher<number, number>({ run: async () => [1], maxBatch: 4, maxWaitMs: 0 });
    await expect(b.submit([1, 2])).rejects.toThrow('run returned 1 results for 2 items');
    expect(() => new MicroBatcher({ run: async (x: number[]) => x, maxBatch: 0, maxWaitMs: 1 })).toThrow('maxBatch');
    expect(() => new MicroBatcher({ run: async (x: number[]) => x, maxBatch: 1, maxWaitMs: NaN })).toThrow('maxWaitMs');
    expect(await b.submit([])).toEqual([]);
  });

  it('gives a too-long document to its own caller, numbered in its request, and the other caller its results', async () => {
    const { b, runs } = encodingBatcher();
    const fine = b.submit([['Mary', 'met']]);
    // Three documents of four words each: only the middle one is too long.
    const bad = b.submit([fits, tooLong, fits]);
    expect(await fine).toEqual([4]);
    const err: unknown = await bad.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SequenceTooLongError);
    expect(err).toMatchObject({ code: 'DOCUMENT_TOO_LONG', documentIndex: 1, wordCount: 4, wordpieceLength: 10, maxLength: 8 });
    expect((err as SequenceTooLongError).details).toMatchObject({ documentIndex: 1, limit: 8 });
    // In the merged batch it was document 2; the message says where it is in its caller's request.
    expect((err as Error).message).toMatch(/^document 1 is too long for the encoder: 4 words give 10 wordpieces/);
    expect(runs).toEqual([[['Mary', 'met'], fits, tooLong, fits], [['Mary', 'met']]]);
    expect(b.stats.calls).toBe(2);
  });

  it('attributes equal-length too-long documents of two callers to each of them', async () => {
    const { b } = encodingBatcher();
    const first = b.submit([fits, tooLong]);
    const second = b.submit([tooLong]);
    const third = b.submit([fits]);
    const [e1, e2] = await Promise.all([first.catch((e: unknown) => e), second.catch((e: unknown) => e)]);
    expect(isSpertError(e1, 'DOCUMENT_TOO_LONG') && e1.documentIndex).toBe(1);
    expect(isSpertError(e2, 'DOCUMENT_TOO_LONG') && e2.documentIndex).toBe(0);
    expect(await third).toEqual([6]);
    expect(b.stats.calls).toBe(3);
  });

  it('numbers the document in the caller\'s request when the request was split over batches', async () => {
    const { b, runs } = encodingBatcher({ maxBatch: 2 });
    const err: unknown = await b.submit([fits, fits, fits, tooLong]).catch((e: unknown) => e);
    expect(runs.map((r) => r.length)).toEqual([2, 2]);
    expect(err).toMatchObject({ code: 'DOCUMENT_TOO_LONG', documentIndex: 3 });
    expect((err as Error).message).toMatch(/^document 3 is too long/);
  });

  it('re-runs each caller alone when the error names no document', async () => {
    const b = new MicroBatcher<number, number>({
      run: async (xs) => {
        if (xs.includes(-1)) throw new SpertError('INVALID_INPUT', 'negative');
        return xs;
      },
      maxBatch: 10,
      maxWaitMs: 2,
    });
    const good = b.submit([1]);
    const bad = b.submit([-1]);
    await expect(bad).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'negative' });
    expect(await good).toEqual([1]);
    expect(b.stats.calls).toBe(3);
  });
});
