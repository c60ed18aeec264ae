/** Timers the scheduler uses (injectable for tests). */
export interface SchedulerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What a training request led to. */
export type ScheduleOutcome =
  /** a run starts when the debounce window closes */
  | 'scheduled'
  /** a run was already waiting for the window to close: this event joins it */
  | 'debounced'
  /** a run is going on: one more run follows it */
  | 'queued'
  /** a run is going on and one more already follows it: this event joins that one */
  | 'already-queued';

/** Options of {@link TrainingScheduler}. */
export interface TrainingSchedulerOptions {
  /** How long annotation events are collected into one run (ms). */
  debounceMs: number;
  /** One training run; its failure is reported through `onError` and does not stop later runs. */
  run: () => Promise<void>;
  onError?: (err: unknown) => void;
  timers?: SchedulerTimers;
}

/**
 * Debounces training: the first event starts a window of `debounceMs`, every event inside it
 * joins the one run that starts when it closes; an event while a run goes on queues exactly one
 * follow-up run (however many events arrive), which starts after the current run, again after a
 * window. `now` requests (Label Studio's "Start training") skip the window.
 */
export class TrainingScheduler {
  private state: 'idle' | 'waiting' | 'running' = 'idle';
  private followUp = false;
  private timer: unknown;
  private idleWaiters: Array<() => void> = [];
  private readonly timers: SchedulerTimers;
  /** Runs finished (successful or not) and requests received, for /metrics and tests. */
  readonly counts = { requests: 0, runs: 0, failures: 0 };

  /** Creates an idle scheduler. */
  constructor(private readonly o: TrainingSchedulerOptions) {
    this.timers = o.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
  }

  /** `idle`, `waiting` (a debounce window is open) or `running`; `followUp` when another run is queued. */
  get status(): { state: 'idle' | 'waiting' | 'running'; followUp: boolean } {
    return { state: this.state, followUp: this.followUp };
  }

  /** Asks for a training run (an annotation event); `now` skips the debounce window. */
  request({ now = false }: { now?: boolean } = {}): ScheduleOutcome {
    this.counts.requests += 1;
    if (this.state === 'running') {
      if (this.followUp) return 'already-queued';
      this.followUp = true;
      return 'queued';
    }
    if (this.state === 'waiting') {
      if (now) this.fire();
      return 'debounced';
    }
    this.state = 'waiting';
    if (now) this.fire();
    else this.timer = this.timers.setTimeout(() => this.fire(), this.o.debounceMs);
    return 'scheduled';
  }

  /** Resolves when no run is going on or waiting (tests, shutdown). */
  idle(): Promise<void> {
    if (this.state === 'idle') return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancels a waiting run (a running one finishes); no follow-up starts. */
  cancel(): void {
    this.followUp = false;
    if (this.state === 'waiting') {
      this.timers.clearTimeout(this.timer);
      this.becomeIdle();
    }
  }

  private becomeIdle(): void {
    this.state = 'idle';
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private fire(): void {
    this.timers.clearTimeout(this.timer);
    this.state = 'running';
    void (async () => {
      try {
        await this.o.run();
      } catch (err) {
        this.counts.failures += 1;
        this.o.onError?.(err);
      }
      this.counts.runs += 1;
      if (this.followUp) {
        this.followUp = false;
        this.state = 'waiting';
        this.timer = this.timers.setTimeout(() => this.fire(), this.o.debounceMs);
      } else {
        this.becomeIdle();
      }
    })();
  }
}
