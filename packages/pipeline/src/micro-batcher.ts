import { internalError, isSpertError, SpertError } from '@spert/core';

/** Timer functions the batcher uses; injectable so tests control time. */
export interface Timers {
  /** Calls `fn` after `ms` milliseconds; returns a handle for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending setTimeout. */
  clearTimeout(handle: unknown): void;
}

/** Options of {@link MicroBatcher}. */
export interface MicroBatcherOptions<I, O> {
  /**
   * Runs one batch; must return one output per input, in order. A {@link SpertError} it throws
   * with a `documentIndex` must number the documents of `items` (as the pipeline does): the
   * batcher then knows whose document failed.
   */
  run: (items: I[]) => Promise<O[]>;
  /** Largest batch handed to `run`. */
  maxBatch: number;
  /** Longest time the first queued item waits for company before its batch runs. */
  maxWaitMs: number;
  /** Batches running at once (default 1); more suits a `run` that spreads batches over threads. */
  concurrency?: number;
  timers?: Timers;
}

/** Counters for observability and tests. */
export interface BatchStats {
  /** Calls made to `run` (including isolation re-runs after a failure). */
  calls: number;
  /** Items passed to `run` in total. */
  items: number;
  /** Largest batch run so far. */
  largest: number;
}

interface Entry<O> {
  results: O[];
  remaining: number;
  failed: boolean;
  resolve: (out: O[]) => void;
  reject: (err: unknown) => void;
}

interface Slot<I, O> {
  item: I;
  entry: Entry<O>;
  index: number;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Collects items submitted by concurrent callers and runs them through one `run` call per batch.
 * Up to `concurrency` batches run at a time (default one): while they run, new items queue up and
 * go together as soon as one finishes, so batches grow with load without adding latency when idle. A failing batch that mixes callers is
 * re-run so that one bad request cannot fail its neighbours: when the error names a document
 * (a SpertError's `documentIndex`, e.g. `DOCUMENT_TOO_LONG`), that document's caller gets it
 * renumbered in its own request and the other callers' items run again as one batch; an error
 * that names no document makes each caller run alone.
 */
export class MicroBatcher<I, O> {
  private readonly opts: Required<MicroBatcherOptions<I, O>>;
  private queue: Array<Slot<I, O>> = [];
  private timer: unknown = undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly counters: BatchStats = { calls: 0, items: 0, largest: 0 };

  constructor(options: MicroBatcherOptions<I, O>) {
    if (!(Number.isInteger(options.maxBatch) && options.maxBatch >= 1)) {
      throw new SpertError('INVALID_OPTION', `MicroBatcher: maxBatch must be an integer >= 1, got ${options.maxBatch}`, { field: 'maxBatch' });
    }
    if (!(Number.isFinite(options.maxWaitMs) && options.maxWaitMs >= 0)) {
      throw new SpertError('INVALID_OPTION', `MicroBatcher: maxWaitMs must be a finite number >= 0, got ${options.maxWaitMs}`, { field: 'maxWaitMs' });
    }
    const concurrency = options.concurrency ?? 1;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new SpertError('INVALID_OPTION', `MicroBatcher: concurrency must be an integer >= 1, got ${options.concurrency}`, { field: 'concurrency' });
    }
    this.opts = { ...options, concurrency, timers: options.timers ?? defaultTimers };
  }

  /** Copy of the counters. */
  get stats(): BatchStats {
    return { ...this.counters };
  }

  /** Queues items; resolves with their outputs once every one of them has run. */
  submit(items: I[]): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    return new Promise<O[]>((resolve, reject) => {
      const entry: Entry<O> = { results: new Array<O>(items.length), remaining: items.length, failed: false, resolve, reject };
      items.forEach((item, index) => this.queue.push({ item, entry, index }));
      this.schedule();
    });
  }

  /** Items waiting for a batch (not yet handed to `run`). */
  get pending(): number {
    return this.queue.length;
  }

  /** Runs everything queued now and resolves when no batch is running (for graceful shutdown). */
  async drain(): Promise<void> {
    this.clearTimer();
    while (this.running.size > 0 || this.queue.length > 0) {
      if (this.queue.length > 0) this.flush();
      await Promise.race(this.running);
    }
  }

  private get free(): boolean {
    return this.running.size < this.opts.concurrency;
  }

  private schedule(): void {
    if (!this.free) return; // a running batch's completion picks the queue up
    if (this.queue.length >= this.opts.maxBatch) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = this.opts.timers.setTimeout(() => {
        this.timer = undefined;
        if (this.queue.length > 0) this.flush();
      }, this.opts.maxWaitMs);
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.opts.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Starts a batch on every free slot now, sharing the queue evenly between them (at most
   * maxBatch each). Closed-loop clients all land in the queue at once; one batch of everything
   * would leave the other slots idle and keep the clients in lockstep with it.
   */
  private flush(): void {
    this.clearTimer();
    while (this.free && this.queue.length > 0) {
      const freeSlots = this.opts.concurrency - this.running.size;
      this.startBatch(this.queue.splice(0, Math.min(this.opts.maxBatch, Math.ceil(this.queue.length / freeSlots))));
    }
  }

  private startBatch(slots: Array<Slot<I, O>>): void {
    const run: Promise<void> = this.runSlots(slots).finally(() => {
      this.running.delete(run);
      // Items that queued meanwhile have waited at least one batch already: run them now.
      if (this.queue.length > 0) this.flush();
    });
    this.running.add(run);
  }

  private async runSlots(slots: Array<Slot<I, O>>): Promise<void> {
    const live = slots.filter((s) => !s.entry.failed);
    if (live.length === 0) return;
    let out: O[];
    try {
      out = await this.call(live.map((s) => s.item));
    } catch (err) {
      const at = isSpertError(err) ? err.documentIndex : undefined;
      const culprit = at !== undefined && Number.isInteger(at) ? live[at] : undefined;
      if (culprit) {
        // The error names the document: its caller gets it in its own numbering (not the merged
        // batch's, where two callers' documents may look alike), everyone else runs again without
        // that caller, in one batch (a second bad document is found the same way).
        this.fail(culprit.entry, (err as SpertError).atDocument(culprit.index));
        return this.runSlots(live);
      }
      const entries = [...new Set(live.map((s) => s.entry))];
      if (entries.length === 1) return this.fail(entries[0] as Entry<O>, err);
      // No document named: run each caller alone, so that only the bad one fails.
      for (const entry of entries) await this.runSlots(live.filter((s) => s.entry === entry));
      return;
    }
    live.forEach((s, k) => this.deliver(s, out[k] as O));
  }

  private async call(items: I[]): Promise<O[]> {
    this.counters.calls += 1;
    this.counters.items += items.length;
    this.counters.largest = Math.max(this.counters.largest, items.length);
    const out = await this.opts.run(items);
    if (!Array.isArray(out) || out.length !== items.length) {
      throw internalError(`MicroBatcher: run returned ${Array.isArray(out) ? out.length : typeof out} results for ${items.length} items`);
    }
    return out;
  }

  private deliver(slot: Slot<I, O>, value: O): void {
    const { entry } = slot;
    if (entry.failed) return;
    entry.results[slot.index] = value;
    entry.remaining -= 1;
    if (entry.remaining === 0) entry.resolve(entry.results);
  }

  private fail(entry: Entry<O>, err: unknown): void {
    if (entry.failed) return;
    entry.failed = true;
    entry.reject(err);
  }
}
