import { integerOption, silentCommanderOutput } from '@spert/core';
import { Command } from 'commander';
import { DEFAULT_TRAIN_QUEUE, startTrainWorker, type RunningTrainWorker } from './queue';

/** Parsed command line of spert-label-studio-worker. */
export interface TrainWorkerCliOptions {
  queue: string;
  queueName: string;
  lockMs: number;
}

/** Parses spert-label-studio-worker's arguments (`argv` as process.argv). */
export function parseTrainWorkerArgs(argv: string[]): TrainWorkerCliOptions {
  const program = new Command('spert-label-studio-worker');
  program
    .description('Take the training jobs of `spert-label-studio --queue` from Redis (BullMQ) and train, one at a time; model paths are the backend\'s, so share its work directory under the same path')
    .requiredOption('--queue <url>', 'Redis URL, redis://host:port')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_TRAIN_QUEUE)
    .option('--lock-ms <n>', 'a worker silent this long is taken for dead and its job may run elsewhere', integerOption('--lock-ms', 1000, 86_400_000), 600_000)
    .exitOverride()
    .configureOutput(silentCommanderOutput);
  program.parse(argv);
  const o = program.opts() as Record<string, unknown>;
  return { queue: o.queue as string, queueName: o.queueName as string, lockMs: o.lockMs as number };
}

/** Starts a training worker from a command line; SIGTERM/SIGINT let the running job finish, then stop. */
export async function runTrainWorker(o: { argv: string[]; signals?: { once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown }; log?: (line: string) => void }): Promise<RunningTrainWorker & { closed: Promise<void> }> {
  const cli = parseTrainWorkerArgs(o.argv);
  const log = o.log ?? ((line: string) => process.stderr.write(`spert-label-studio-worker: ${line}\n`));
  const worker = await startTrainWorker({ url: cli.queue, name: cli.queueName, lockMs: cli.lockMs, log });
  log(`waiting for training jobs on ${cli.queue} (queue ${cli.queueName})`);
  let done: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (done = resolve));
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= worker.close().then(done));
  const signals = o.signals ?? process;
  signals.once('SIGTERM', () => void close());
  signals.once('SIGINT', () => void close());
  return { close, closed };
}
