import { integerOption, silentCommanderOutput } from '@spert/core';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { displayUrl, predictChunk, redisConnection, RedisWatch, type ChunkResult } from '@spert/batch';
import type { Predictor } from '@spert/core';
import { SpertOnnxRuntime } from '@spert/onnx';
import { Worker, type Job } from 'bullmq';
import { Command } from 'commander';
import { intraOpThreadsFor, loadOptions } from './model-options';
import { addQueueFlags, listChunks, type ChunkJobData } from './queue';

/** Default bound of a shutdown: the running chunks get this long to finish (ms). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;

/** Parsed command line of spert-worker. */
export interface WorkerCliOptions {
  queue: string;
  queueName: string;
  model: string;
  concurrency: number;
  intraOpThreads: number;
  lockMs: number;
  /** Interval of the "still unreachable" line while Redis is down (s). */
  outageReportS: number;
  /** How long a SIGTERM lets the running chunks finish before abandoning them (ms). */
  shutdownTimeoutMs: number;
  verbose: boolean;
}

/** Parses spert-worker's arguments (`argv` as process.argv). */
export function parseWorkerArgs(argv: string[], cores = availableParallelism()): WorkerCliOptions {
  const program = new Command('spert-worker');
  program
    .description('Take chunk jobs of `spert-predict --queue` from Redis (BullMQ) and predict them with a local copy of the exported model')
    .requiredOption('--queue <url>', 'Redis URL, redis://host:port')
    .requiredOption('--model <dir>', 'exported model directory on this machine (the same model as the producer\'s)')
    .option('--concurrency <n>', 'chunks this process predicts at once', integerOption('--concurrency', 1, 64), 1)
    .option('--intra-op-threads <n>', 'onnxruntime intra-op threads (default: cores / concurrency)', integerOption('--intra-op-threads', 1, 1024))
    .option('--lock-ms <n>', 'job lock: a worker silent this long is taken for dead and its job goes to another', integerOption('--lock-ms', 500, 3_600_000), 30_000)
    .option(
      '--shutdown-timeout-ms <n>',
      'on SIGTERM/SIGINT the running chunks get this long to finish (and be reported to Redis); then they are abandoned to another worker and the process exits',
      integerOption('--shutdown-timeout-ms', 0, 3_600_000),
      DEFAULT_SHUTDOWN_TIMEOUT_MS,
    )
    .option('--verbose', 'one stderr line per job started and finished, and the stack trace of every Redis error');
  addQueueFlags(program).exitOverride().configureOutput(silentCommanderOutput);
  program.parse(argv);
  const o = program.opts() as Record<string, unknown>;
  const concurrency = o.concurrency as number;
  return {
    queue: o.queue as string,
    queueName: o.queueName as string,
    model: o.model as string,
    concurrency,
    intraOpThreads: intraOpThreadsFor(o.intraOpThreads as number | undefined, cores, concurrency),
    lockMs: o.lockMs as number,
    outageReportS: o.outageReportS as number,
    shutdownTimeoutMs: o.shutdownTimeoutMs as number,
    verbose: Boolean(o.verbose),
  };
}

/** The part of `process` the worker uses for shutdown; injectable for tests. */
export interface WorkerSignals {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/** A running spert-worker. */
export interface RunningWorker {
  /** Stops taking jobs, lets the running ones finish (at most `--shutdown-timeout-ms`, then abandons them), frees the model. */
  close(): Promise<void>;
  /** Resolves when closed (by close() or a signal). */
  closed: Promise<void>;
}

/** Options of {@link runWorker}. */
export interface RunWorkerOptions {
  argv: string[];
  signals?: WorkerSignals;
  /** Where the worker's lines go (default stderr). */
  log?: (line: string) => void;
  /** Ends the process at a second signal (default process.exit). */
  exit?: (code: number) => void;
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

// A job this process took and has not reported back yet: what a shutdown finishes or abandons.
interface HeldJob {
  job: Job<ChunkJobData, ChunkResult>;
  token?: string;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref();
  });

/**
 * Starts spert-worker: a BullMQ worker predicting chunk jobs with @spert/batch's predictChunk on
 * the local model, with the pipeline settings the producer put in the job (so its bytes equal
 * every other executor's).
 *
 * SIGTERM/SIGINT, in any state (Redis up or down, waiting for Redis at start, inside a chunk): the
 * worker takes no new job, lets the running ones finish and be reported for at most
 * `--shutdown-timeout-ms`, then abandons what is left (handed back to the queue at once if Redis
 * is up, else BullMQ gives it to another worker when its lock expires) and closes; a second
 * signal exits at once (code 143 or 130). Redis outages are reported by a {@link RedisWatch}.
 */
export async function runWorker({ argv, signals = process, log = (s: string) => process.stderr.write(`${s}\n`), exit = (code: number) => process.exit(code) }: RunWorkerOptions): Promise<RunningWorker> {
  const cli = parseWorkerArgs(argv);
  const modelDir = path.resolve(cli.model);
  const watch = RedisWatch.start({ url: cli.queue, name: 'spert-worker', log, reportEveryMs: cli.outageReportS * 1000, verbose: cli.verbose });
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
  const held = new Map<string, HeldJob>();
  const chunkOf = (jobId: string) => held.get(jobId)?.job.data.task.index;
  const worker = new Worker<ChunkJobData, ChunkResult>(
    cli.queueName,
    async (job, token) => {
      held.set(job.id as string, { job, token });
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
  worker.on('completed', (job) => held.delete(job.id as string));
  worker.on('failed', (job, err) => {
    if (job) held.delete(job.id as string);
    log(`spert-worker: chunk ${job?.data.task.index ?? '?'} failed: ${err.message}`);
  });
  // What BullMQ says when Redis lost a job or its lock under a running chunk, in words that say what happens next.
  const explained = new Set<string>();
  const explain = (err: Error): string | null | undefined => {
    const m = /^(Missing key|Missing lock|Lock mismatch) for job (\S+?)\.? /.exec(err.message) ?? /^(could not renew lock) for job (\S+)$/.exec(err.message);
    if (!m) return undefined;
    const [, what, jobId] = m as unknown as [string, string, string];
    // BullMQ reports a lost job twice (completing it, then failing it): one line is enough.
    const key = `${what === 'could not renew lock' ? 'renew' : 'lost'} ${jobId}`;
    if (explained.has(key)) return null;
    explained.add(key);
    const chunk = chunkOf(jobId);
    const subject = chunk === undefined ? `job ${jobId}` : `chunk ${chunk}`;
    if (what === 'could not renew lock') return `${subject}: could not renew its lock in Redis; if it stays unreachable longer than --lock-ms (${cli.lockMs} ms) the chunk goes to another worker`;
    held.delete(jobId);
    const why =
      what === 'Missing key'
        ? 'Redis no longer has its job (restarted without its data, or flushed): the producer re-enqueues it'
        : 'Redis no longer holds this worker\'s lock on its job (unreachable longer than --lock-ms, or restarted without its data): the chunk runs again';
    return `${subject}: result dropped, ${why} (${err.message})`;
  };
  worker.on('error', (err) => watch.error(err, explain));

  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let closing: Promise<void> | undefined;
  const heldChunks = () => listChunks([...held.values()].map((h) => h.job.data.task.index).sort((a, b) => a - b));
  const close = (signal?: 'SIGTERM' | 'SIGINT') =>
    (closing ??= (async () => {
      const bound = `${(cli.shutdownTimeoutMs / 1000).toFixed(1)} s`;
      if (signal) log(`spert-worker: ${signal}: ${held.size > 0 ? `finishing chunk${held.size > 1 ? 's' : ''} ${heldChunks()}` : 'no chunk running'}, then exiting (at most ${bound}; a second signal exits at once)`);
      // BullMQ's close waits for the running jobs and for Redis to take their results: bounded
      // here. With no chunk held and Redis unreachable there is nothing to wait for (and BullMQ's
      // close would wait for a connection): done at once.
      let waiting = true;
      const nothingToFinish = (async () => {
        while (waiting && (held.size > 0 || watch.isUp)) await sleep(100);
        return 'idle' as const;
      })();
      const outcome = await Promise.race([worker.close().then(() => 'closed' as const, () => 'closed' as const), nothingToFinish, sleep(cli.shutdownTimeoutMs).then(() => 'timeout' as const)]);
      waiting = false;
      if (outcome === 'idle') log('spert-worker: no chunk running and Redis unreachable: exiting without it');
      const finished = outcome !== 'timeout';
      if (!finished) {
        const left = [...held.values()];
        if (left.length > 0 && watch.isUp) {
          log(`spert-worker: shutdown timeout (${bound}): chunk${left.length > 1 ? 's' : ''} ${heldChunks()} handed back to the queue unfinished`);
          await Promise.race([Promise.allSettled(left.map((h) => h.job.moveToWait(h.token))), sleep(1000)]);
        } else {
          const what = left.length > 0 ? `abandoning chunk${left.length > 1 ? 's' : ''} ${heldChunks()}: another worker takes ${left.length > 1 ? 'them once their locks expire' : 'it once its lock expires'} (--lock-ms)` : 'closing without Redis';
          log(`spert-worker: shutdown timeout (${bound}${watch.isUp ? '' : ', Redis unreachable'}): ${what}`);
        }
      } else {
        for (const r of runtimes.values()) await (await r.catch(() => undefined))?.dispose?.();
      }
      watch.close();
      signals.off('SIGTERM', onTerm);
      signals.off('SIGINT', onInt);
      markClosed();
    })());
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => {
    if (!closing) {
      void close(signal);
      return;
    }
    log(`spert-worker: second ${signal}: exiting at once${held.size > 0 ? `, abandoning chunk${held.size > 1 ? 's' : ''} ${heldChunks()}` : ''}`);
    exit(SIGNAL_EXIT_CODES[signal]);
  };
  const onTerm = () => onSignal('SIGTERM');
  const onInt = () => onSignal('SIGINT');
  // Before anything waits for Redis: a signal must work while Redis is unreachable at start too.
  signals.on('SIGTERM', onTerm);
  signals.on('SIGINT', onInt);
  // The watch says when Redis came; the ready line follows it.
  await Promise.race([Promise.all([worker.waitUntilReady().catch(() => undefined), watch.whenUp()]), closed]);
  if (!closing) log(`spert-worker: waiting for chunks on ${displayUrl(cli.queue)} (queue ${cli.queueName}), model ${modelDir}, ${cli.concurrency} at a time x ${cli.intraOpThreads} intra-op threads`);
  return { close: () => close(), closed };
}
