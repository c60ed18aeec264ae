import { TrainingScheduler, type SchedulerTimers } from './scheduler';

/** Timers driven by the test: `tick()` fires what is due. */
function manualTimers(): SchedulerTimers & { tick(ms: number): void; pending(): number } {
  let now = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    setTimeout: (fn, ms) => {
      due.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h) => void due.delete(h as number),
    tick(ms) {
      now += ms;
      for (const [h, t] of [...due]) if (t.at <= now) {
        due.delete(h);
        t.fn();
      }
    },
    pending: () => due.size,
  };
}

describe('TrainingScheduler', () => {
  it('collects events of one window into one run, and events during a run into exactly one follow-up', async () => {
    const timers = manualTimers();
    let release: () => void = () => undefined;
    let runs = 0;
    const s = new TrainingScheduler({ debounceMs: 100, timers, run: () => new Promise<void>((r) => { runs += 1; release = r; }) });
    expect([s.request(), s.request(), s.request()]).toEqual(['scheduled', 'debounced', 'debounced']);
    expect(runs).toBe(0);
    timers.tick(99);
    expect(runs).toBe(0);
    timers.tick(1);
    expect(runs).toBe(1);
    expect(s.status).toEqual({ state: 'running', followUp: false });
    expect([s.request(), s.request(), s.request({ now: true })]).toEqual(['queued', 'already-queued', 'already-queued']);
    release();
    await new Promise((r) => setImmediate(r));
    expect(s.status).toEqual({ state: 'waiting', followUp: false }); // the follow-up waits for its own window
    timers.tick(100);
    expect(runs).toBe(2);
    release();
    await s.idle();
    expect(s.counts).toEqual({ requests: 6, runs: 2, failures: 0 });
    expect(timers.pending()).toBe(0);
  });

  it('"now" (Start training) skips the window; a failed run is reported and later runs still happen', async () => {
    const timers = manualTimers();
    const errors: unknown[] = [];
    let n = 0;
    const s = new TrainingScheduler({ debounceMs: 1000, timers, onError: (e) => errors.push(e), run: async () => { n += 1; if (n === 1) throw new Error('Label Studio is down'); } });
    expect(s.request({ now: true })).toBe('scheduled');
    await s.idle();
    expect(errors.map((e) => (e as Error).message)).toEqual(['Label Studio is down']);
    expect(s.request()).toBe('scheduled');
    expect(s.request({ now: true })).toBe('debounced'); // joins the waiting run and starts it at once
    await s.idle();
    expect(s.counts).toEqual({ requests: 3, runs: 2, failures: 1 });
  });

  it('cancel drops a waiting run and the follow-up', async () => {
    const timers = manualTimers();
    let runs = 0;
    const s = new TrainingScheduler({ debounceMs: 10, timers, run: async () => void (runs += 1) });
    s.request();
    s.cancel();
    timers.tick(10);
    await s.idle();
    expect(runs).toBe(0);
  });
});
