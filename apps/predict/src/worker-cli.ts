import { integerOption, silentCommanderOutput } from '@spert/core';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { predictChunk, type ChunkResult } from '@spert/batch';
import type { Predictor } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import { Worker } from 'bullmq';
import { Command } from 'commander';
import { loadOptions } from './model-options';
import { DEFAULT_QUEUE_NAME, redisConnection, type ChunkJobData } from './queue';

/** Parsed command line of spert-worker. */
export interface WorkerCliOptions {
  queue: string;
  queueName: string;
  model: string;
  concurrency: number;
  intraOpThreads: number;
  lockMs: number;
  verbose: boolean;
}

/** Parses spert-worker's arguments (`argv` as process.argv). */
export function parseWorkerArgs(argv: string[], cores = availableParallelism()): WorkerCliOptions {
  const program = new Command('spert-worker');
  program
    .description('Take chunk jobs of `spert-predict --queue` from Redis (BullMQ) and predict them with a local copy of the exported model')
    .requiredOption('--queue <url>', 'Redis URL, redis://host:port')
    .requiredOption('--model <dir>', 'exported model directory on this machine (the same model as the producer\'s)')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('--concurrency <n>', 'chunks this process predicts at once', integerOption('--concurrency', 1, 64), 1)
    .option('--intra-op-threads <n>', 'onnxruntime intra-op threads (default: cores / concurrency)', integerOption('--intra-op-threads', 1, 1024))
    .option('--lock-ms <n>', 'job lock: a worker silent this long is taken for dead and its job goes to another', integerOption('--lock-ms', 500, 3_600_000), 30_000)
    .option('--verbose', 'one stderr line per job started and finished')
    .exitOverride()
    .configureOutput(silentCommanderOutput);
  program.parse(argv);
  const o = program.opts() as Record<string, unknown>;
  const concurrency = o.concurrency as number;
  return {
    queue: o.queue as string,
    queueName: o.queueName as string,
    model: o.model as string,
    concurrency,
    intraOpThreads: (o.intraOpThreads as number | undefined) ?? Math.max(1, Math.floor(cores / concurrency)),
    lockMs: o.lockMs as number,
    verbose: Boolean(o.verbose),
  };
}

/** The part of `process` the worker uses for shutdown; injectable for tests. */
export interface WorkerSignals {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/** A running spert-worker. */
export interface RunningWorker {
  /** Stops taking jobs, lets the running ones finish, frees the model. */
  close(): Promise<void>;
  /** Resolves when closed (by close() or a signal). */
  closed: Promise<void>;
}

/**
 * Starts spert-worker: a BullMQ worker predicting chunk jobs with @spert/batch's predictChunk on
 * the local model, with the pipeline settings the producer put in the job (so its bytes equal
 * every other executor's). SIGTERM/SIGINT finish the running jobs, then exit.
 */
export async function runWorker({ argv, signals = process, log = (s: string) => process.stderr.write(`${s}\n`) }: { argv: string[]; signals?: WorkerSignals; log?: (line: string) => void }): Promise<RunningWorker> {
  const cli = parseWorkerArgs(argv);
  const modelDir = path.resolve(cli.model);
  // One runtime per pipeline setting the producers ask for (usually one).
  const runtimes = new Map<string, Promise<Predictor>>();
  const runtimeFor = (p: ChunkJobData['pipeline']): Promise<Predictor> => {
    const key = JSON.stringify([p.batchSize ?? null, p.onTooLong ?? null]);
    let r = runtimes.get(key);
    if (!r) {
      r = SpertOnnxRuntime.load(modelDir, loadOptions({ dir: modelDir, intraOpThreads: cli.intraOpThreads, ...p }));
      runtimes.set(key, r);
    }
    return r;
  };
  const worker = new Worker<ChunkJobData, ChunkResult>(
    cli.queueName,
    async (job) => {
      if (cli.verbose) log(`spert-worker: chunk ${job.data.task.index} started (job ${job.id}, attempt ${job.attemptsMade + 1})`);
      const result = await predictChunk(await runtimeFor(job.data.pipeline), job.data.task);
      if (cli.verbose) log(`spert-worker: chunk ${job.data.task.index} done (${result.documents} documents)`);
      return result;
    },
    {
      connection: redisConnection(cli.queue),
      concurrency: cli.concurrency,
      lockDuration: cli.lockMs,
      // Check for jobs of dead workers twice per lock period; a chunk may be retried a few times before it counts as poison.
      stalledInterval: Math.max(250, Math.floor(cli.lockMs / 2)),
      maxStalledCount: 5,
    },
  );
  worker.on('failed', (job, err) => log(`spert-worker: chunk ${job?.data.task.index ?? '?'} failed: ${err.message}`));
  worker.on('error', (err) => log(`spert-worker: ${err.message}`));
  await worker.waitUntilReady();
  log(`spert-worker: waiting for chunks on ${cli.queue} (queue ${cli.queueName}), model ${modelDir}, ${cli.concurrency} at a time x ${cli.intraOpThreads} intra-op threads`);
  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const close = () =>
    (closing ??= (async () => {
      await worker.close();
      for (const r of runtimes.values()) await (await r.catch(() => undefined))?.dispose?.();
      markClosed();
    })());
  signals.once('SIGTERM', () => void close());
  signals.once('SIGINT', () => void close());
  return { close, closed };
}
