// spert-worker processes for the queue tests (from source through tsx), and a poll for conditions
// that no event announces (files appearing in a parts folder, lines in a child's stderr).
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const appDir = path.resolve(__dirname, '..');

/** A spawned spert-worker. */
export interface SpawnedWorker {
  child: ChildProcess;
  /** Its stderr so far. */
  log: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True until it exited. */
  running: () => boolean;
}

/** Starts `spert-worker --queue url --queue-name queueName --model modelDir --intra-op-threads 1` plus `args`. */
export function startWorker(url: string, modelDir: string, queueName: string, args: string[] = []): SpawnedWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker-main.ts', '--queue', url, '--queue-name', queueName, '--model', modelDir, '--intra-op-threads', '1', ...args], {
    cwd: appDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let text = '';
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, log: () => text, exited, running: () => child.exitCode === null && child.signalCode === null };
}

/** Ends a worker if it still runs (SIGKILL: tests that care stop it themselves). */
export async function reap(w: SpawnedWorker): Promise<void> {
  if (w.running()) w.child.kill('SIGKILL');
  await w.exited;
}

// Resolves once `cond()` is true (checked every 20 ms); rejects naming `what` after `ms`.
export { until } from '../../../tools/testing/until';
