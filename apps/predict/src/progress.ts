import type { BatchProgress } from '@spert/batch';
import { SingleBar } from 'cli-progress';

/** A progress display of a batch run. */
export interface BatchBar {
  update(p: BatchProgress): void;
  /** Writes a line above the bar (a terminal's bar is cleared first and redrawn at the next update). */
  log(line: string): void;
  stop(): void;
}

/**
 * A cli-progress bar over the input's bytes (so the ETA is right for gzip too) with documents,
 * docs/s and errors; over stdin (size unknown) documents and docs/s only. A no-op when off.
 */
export function createBatchBar({ enabled, stream = process.stderr, now = () => Date.now() }: { enabled: boolean; stream?: NodeJS.WriteStream; now?: () => number }): BatchBar {
  if (!enabled) return { update() {}, log: (line) => void stream.write(`${line}\n`), stop() {} };
  let bar: SingleBar | undefined;
  const started = now();
  let resumed = 0;
  return {
    update(p) {
      resumed = p.resumedDocuments;
      const seconds = Math.max(1e-3, (now() - started) / 1000);
      // Resumed documents cost nothing: the speed is this run's own.
      const payload = { docs: p.documents, errors: p.errors, speed: ((p.documents - resumed) / seconds).toFixed(1) };
      if (!bar) {
        const known = p.totalBytes !== undefined && p.totalBytes > 0;
        bar = new SingleBar({
          format: known ? '[{bar}] {percentage}% | {docs} docs | {speed} docs/s | {errors} errors | ETA {eta_formatted}' : '{docs} docs | {speed} docs/s | {errors} errors',
          stream,
          hideCursor: true,
          etaBuffer: 20,
          noTTYOutput: !stream.isTTY,
          notTTYSchedule: 10_000,
        });
        bar.start(known ? (p.totalBytes as number) : 1, 0, payload);
      }
      bar.update(p.totalBytes ? p.bytesDone : 0, payload);
    },
    log(line) {
      stream.write(bar && stream.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
    stop() {
      bar?.stop();
    },
  };
}
