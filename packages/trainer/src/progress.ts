import { SingleBar } from 'cli-progress';

/** What the progress display shows after each step. */
export interface ProgressUpdate {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  docsPerSecond: number;
}

/** A progress display (the trainer's default draws a cli-progress bar). */
export interface Progress {
  start(total: number, startValue: number, epochs: number): void;
  update(u: ProgressUpdate): void;
  stop(): void;
}

/** Options of {@link createProgress}. */
export interface CreateProgressOptions {
  /** false turns the bar off; default on when `stream` is a TTY. */
  enabled?: boolean;
  stream?: NodeJS.WriteStream;
}

/** A cli-progress bar with loss, lr, speed and ETA; a no-op when off or when the stream is not a TTY. */
export function createProgress({ enabled, stream = process.stderr }: CreateProgressOptions = {}): Progress {
  const on = enabled ?? Boolean(stream.isTTY);
  if (!on) return { start() {}, update() {}, stop() {} };
  const bar = new SingleBar({
    format: 'epoch {epoch}/{epochs} [{bar}] {value}/{total} | loss {loss} | lr {lr} | {speed} docs/s | ETA {eta_formatted}',
    stream,
    hideCursor: true,
    etaBuffer: 50,
    noTTYOutput: !stream.isTTY,
  });
  let epochs = 0;
  return {
    start(total, startValue, e) {
      epochs = e;
      bar.start(total, startValue, { epoch: 1, epochs, loss: '-', lr: '-', speed: '-' });
    },
    update(u) {
      bar.update(u.step, { epoch: u.epoch + 1, epochs, loss: u.loss.toFixed(4), lr: u.lr.toExponential(2), speed: u.docsPerSecond.toFixed(2) });
    },
    stop() {
      bar.stop();
    },
  };
}
