import { SingleBar } from 'cli-progress';
import { SpertError } from '@spert/core';

/** What the progress display shows after each step. */
export interface ProgressUpdate {
  /** Updates done so far (including those before a resume). */
  step: number;
  /** Zero-based epoch. */
  epoch: number;
  /** Loss of this step. */
  loss: number;
  /** Learning rate of this step. */
  lr: number;
  /** Speed in `unit`s per second (documents unless the run counts another unit). */
  docsPerSecond: number;
  /** What the speed counts (default "docs"). */
  unit?: string;
}

/** A progress display (the trainer's default: a cli-progress bar on a terminal, plain lines otherwise). */
export interface Progress {
  /** Training starts (or resumes at `startValue`) with `total` steps over `epochs` epochs. */
  start(total: number, startValue: number, epochs: number): void;
  /** A step is done. */
  update(u: ProgressUpdate): void;
  /** The epoch's last step is done; its evaluation (and its messages) follows. */
  endEpoch(u: ProgressUpdate): void;
  /** Training ended or failed: release the terminal. */
  stop(): void;
}

/** 'auto': a bar on a terminal, plain lines otherwise; 'bar' / 'lines': that one; 'off': nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off';

/** Default steps between two plain progress lines. */
export const DEFAULT_PROGRESS_EVERY = 100;

/** Options of {@link createProgress}. */
export interface CreateProgressOptions {
  /** Default 'auto' (decided by `stream.isTTY`). */
  mode?: ProgressMode;
  /** Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Plain lines: one every N steps (default {@link DEFAULT_PROGRESS_EVERY}) besides one per epoch. */
  every?: number;
  /** Milliseconds clock for the ETA of plain lines (default Date.now). */
  clock?: () => number;
}

/**
 * The trainer's progress display. On a terminal a cli-progress bar (loss, lr, docs/s, ETA) that is
 * finished at each epoch end so that evaluation messages get lines of their own; without one (CI,
 * nohup, a log file) a plain line every `every` steps and one per epoch, with the same fields.
 */
export function createProgress({ mode = 'auto', stream = process.stderr, every = DEFAULT_PROGRESS_EVERY, clock = Date.now }: CreateProgressOptions = {}): Progress {
  if (!Number.isInteger(every) || every <= 0) throw new SpertError('INVALID_OPTION', `createProgress: every must be a positive integer, got ${every}`);
  if (mode === 'off') return { start() {}, update() {}, endEpoch() {}, stop() {} };
  if (mode === 'bar' || (mode === 'auto' && stream.isTTY)) return barProgress(stream as NodeJS.WriteStream);
  return lineProgress(stream, every, clock);
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const bar = new SingleBar({
    format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} | loss {loss} | lr {lr} | {speed} {unit}/s | ETA {eta_formatted}',
    stream,
    hideCursor: true,
    etaBuffer: 50,
  });
  let total = 0;
  let epochs = 0;
  let running = false;
  const payload = (u: ProgressUpdate) => ({ epoch: u.epoch + 1, epochs, loss: u.loss.toFixed(4), lr: u.lr.toExponential(2), speed: u.docsPerSecond.toFixed(2), unit: u.unit ?? 'docs' });
  return {
    start(t, startValue, e) {
      total = t;
      epochs = e;
      bar.start(total, startValue, { epoch: 1, epochs, loss: '-', lr: '-', speed: '-', unit: 'docs' });
      running = true;
    },
    update(u) {
      if (!running) {
        // The previous epoch's bar was finished; this epoch gets a fresh one on a new line.
        bar.start(total, u.step, payload(u));
        running = true;
      } else {
        bar.update(u.step, payload(u));
      }
    },
    endEpoch(u) {
      if (!running) return;
      bar.update(u.step, payload(u));
      // stop() draws the final state and ends the line (cli-progress' default without clearOnComplete).
      bar.stop();
      running = false;
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

function lineProgress(stream: NodeJS.WritableStream, every: number, clock: () => number): Progress {
  let total = 0;
  let epochs = 0;
  let firstStep = 0;
  let startedAt = 0;
  // Evaluations are not training speed: the ETA leaves out the time between an epoch end and the next step.
  let pausedAt: number | undefined;
  // Mean loss since the previous step line, and over the epoch (its steps run by this process).
  const windowLoss = { sum: 0, steps: 0 };
  const epochLoss = { sum: 0, steps: 0 };
  const mean = (w: { sum: number; steps: number }) => (w.steps > 0 ? (w.sum / w.steps).toFixed(4) : '-');
  const line = (head: string, loss: string, u: ProgressUpdate) => {
    const done = u.step - firstStep;
    const seconds = (clock() - startedAt) / 1000;
    const eta = done > 0 ? formatDuration(((total - u.step) * seconds) / done) : '-';
    stream.write(`${head} | ${loss} | lr ${u.lr.toExponential(2)} | ${u.docsPerSecond.toFixed(2)} ${u.unit ?? 'docs'}/s | ETA ${eta}\n`);
  };
  return {
    start(t, startValue, e) {
      total = t;
      epochs = e;
      firstStep = startValue;
      startedAt = clock();
    },
    update(u) {
      if (pausedAt !== undefined) {
        startedAt += clock() - pausedAt;
        pausedAt = undefined;
      }
      for (const w of [windowLoss, epochLoss]) {
        w.sum += u.loss;
        w.steps++;
      }
      if (u.step % every === 0) {
        line(`step ${u.step}/${total} (epoch ${u.epoch + 1}/${epochs})`, `loss ${mean(windowLoss)}`, u);
        windowLoss.sum = windowLoss.steps = 0;
      }
    },
    endEpoch(u) {
      line(`epoch ${u.epoch + 1}/${epochs} done at step ${u.step}/${total}`, `epoch loss ${mean(epochLoss)}`, u);
      epochLoss.sum = epochLoss.steps = 0;
      pausedAt = clock();
    },
    stop() {},
  };
}

/** A duration for humans: "45s", "3m 07s", "2h 05m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
