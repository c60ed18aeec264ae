import { DEFAULT_OUTAGE_REPORT_MS, redisConnection, RedisWatch, type ChunkExecutor, type ChunkResult, type ChunkTask } from '@spert/batch';
// BullMQ loads ioredis (its optional peer) at run time from these options; @spert/batch's RedisWatch imports it too.
import { Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Command } from 'commander';
import type { ModelOptions } from './model-options';
import { integerOption, internalError } from '@spert/core';

/** BullMQ queue spert-predict and spert-worker use unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'spert-predict';

/** Default interval of the producer's check that its chunk jobs still exist in Redis (ms). */
export const DEFAULT_QUEUE_CHECK_MS = 5_000;

/** What a queue job carries: the chunk, and the pipeline settings that shape its bytes (the worker brings its own model path and threads). */
export interface ChunkJobData {
  runId: string;
  task: ChunkTask;
  pipeline: Pick<ModelOptions, 'batchSize' | 'onTooLong'>;
}

/** Adds the queue flags spert-predict --queue and spert-worker must agree on: `--queue-name`, and `--outage-report-s` of their Redis outage lines. */
export function addQueueFlags(program: Command): Command {
  return program
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('--outage-report-s <n>', 'while Redis is unreachable, a line every n seconds', integerOption('--outage-report-s', 1, 86_400), DEFAULT_OUTAGE_REPORT_MS / 1000);
}

/** Options of {@link queueExecutor}. */
export interface QueueExecutorOptions {
  url: string;
  name?: string;
  /** Identifies the run: job ids are `<runId>-<chunk>`, so a resumed producer finds the jobs of its earlier self. */
  runId: string;
  pipeline: ChunkJobData['pipeline'];
  /** Chunk jobs in the queue at once (bounds Redis memory; default 16). */
  inFlight?: number;
  /** Tries of a job whose worker threw (a worker that dies is handled by BullMQ's stalled-job check instead). */
  attempts?: number;
  /**
   * How often the producer checks that its chunk jobs still exist in Redis (default
   * {@link DEFAULT_QUEUE_CHECK_MS}); it also checks each time Redis comes back after an outage.
   */
  checkEveryMs?: number;
  /** Where the producer's Redis lines go (default stderr). */
  log?: (line: string) => void;
  /** Interval of the "still unreachable" line while Redis is down (ms). */
  outageReportMs?: number;
  /** Print the stack of every Redis error. */
  verbose?: boolean;
}

function asResult(value: unknown, jobId: string): ChunkResult {
  const v = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (typeof v !== 'object' || v === null || typeof (v as ChunkResult).output !== 'string' || !Array.isArray((v as ChunkResult).errors)) {
    throw internalError(`queue job ${jobId}: the worker returned no chunk result (is it a spert-worker of this version?)`);
  }
  return v as ChunkResult;
}

/** "3, 4, 5 and 9" (the first 20). */
export function listChunks(indices: number[]): string {
  const shown = indices.slice(0, 20).join(', ');
  return indices.length > 20 ? `${shown} and ${indices.length - 20} more` : shown;
}

// A chunk job the producer waits for: settled by a QueueEvents event or by a check of its state.
interface PendingJob {
  jobId: string;
  index: number;
  data: ChunkJobData;
  /** True once Redis acknowledged the add (only then can the job be missing). */
  added: boolean;
  resolve(result: ChunkResult): void;
  reject(err: Error): void;
}

/**
 * Runs chunks as BullMQ jobs on Redis: any number of `spert-worker`s on any machines take them.
 * A job whose worker dies (its lock expires) goes back to the queue and another worker takes it;
 * the producer stores each chunk's result once, by index, so every document is written exactly once
 * however often a job ran.
 *
 * Redis may lose jobs (restarted without persistence, a failover to an empty replica, FLUSHALL):
 * every `checkEveryMs`, and whenever Redis comes back, the producer asks for the state of each job
 * it waits for, adds again (same id, same data) the ones Redis no longer has, and takes the result
 * of any that finished while it was not listening. The jobs it waits for are exactly the chunks
 * its parts folder lacks, so that is what is re-enqueued.
 */
export async function queueExecutor(o: QueueExecutorOptions): Promise<ChunkExecutor> {
  const connection = redisConnection(o.url);
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const watch = RedisWatch.start({ url: o.url, name: 'spert-predict', log, reportEveryMs: o.outageReportMs, verbose: o.verbose });
  const queue = new Queue<ChunkJobData, ChunkResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  await watch.attach([queue, events]);
  const inFlight = o.inFlight ?? 16;
  const jobOptions = (jobId: string): JobsOptions => ({ jobId, attempts: o.attempts ?? 3, backoff: { type: 'exponential', delay: 1000 } });
  const pending = new Map<string, PendingJob>();

  const settle = (jobId: string, outcome: { value: unknown } | { failedReason: string }) => {
    const p = pending.get(jobId);
    if (!p) return;
    pending.delete(jobId);
    if ('failedReason' in outcome) {
      p.reject(new Error(`queue job ${jobId} (chunk ${p.index}) failed: ${outcome.failedReason}`));
      return;
    }
    try {
      p.resolve(asResult(outcome.value, jobId));
    } catch (e) {
      p.reject(e as Error);
      return;
    }
    // The result is on disk once runBatch stores it; Redis need not keep a copy. Not awaited: a
    // Redis outage must not hold the result back.
    queue.remove(jobId).catch(() => undefined);
  };
  events.on('completed', ({ jobId, returnvalue }) => settle(jobId, { value: returnvalue }));
  events.on('failed', ({ jobId, failedReason }) => settle(jobId, { failedReason }));

  const add = async (p: PendingJob) => {
    // Same id as an existing job (an earlier producer's, finished or not): BullMQ keeps that one.
    await queue.add('chunk', p.data, jobOptions(p.jobId));
    p.added = true;
  };

  let checking: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const check = async () => {
    // Answers given before an outage and after it may describe two different datasets: a check
    // that straddles one is dropped and asked again, so the lost jobs are re-enqueued in one go.
    const outages = watch.outages;
    const lost: PendingJob[] = [];
    const finished: Array<{ p: PendingJob; state: 'completed' | 'failed' }> = [];
    for (const p of [...pending.values()]) {
      if (!p.added || closed) continue;
      const state = await queue.getJobState(p.jobId);
      if (state === 'unknown') lost.push(p);
      else if (state === 'completed' || state === 'failed') finished.push({ p, state });
    }
    if (watch.outages !== outages || !watch.isUp) {
      // Still down: the reconnect asks for the next check.
      if (watch.isUp) again = true;
      return;
    }
    for (const { p, state } of finished) {
      // Finished while the events were not heard (an outage of the producer's connection).
      const job = pending.get(p.jobId) === p ? await queue.getJob(p.jobId) : undefined;
      if (job && state === 'completed') settle(p.jobId, { value: job.returnvalue });
      else if (job) settle(p.jobId, { failedReason: job.failedReason });
    }
    const missing = lost.filter((p) => pending.get(p.jobId) === p);
    if (missing.length === 0 || closed) return;
    log(
      `spert-predict: Redis lost ${missing.length} chunk job${missing.length > 1 ? 's' : ''} (restarted without persistence, flushed, or a failover?); ` +
        `re-enqueued chunk${missing.length > 1 ? 's' : ''} ${listChunks(missing.map((p) => p.index).sort((a, b) => a - b))}`,
    );
    for (const p of missing) await add(p);
  };
  const runCheck = (): void => {
    // One check at a time: during an outage a check waits for Redis, and the next ones must not
    // pile up; a reconnect during a check asks for another one right after it.
    if (checking) {
      again = true;
      return;
    }
    checking = check()
      .catch((e: unknown) => watch.error(e))
      .finally(() => {
        checking = undefined;
        if (again && !closed) {
          again = false;
          runCheck();
        }
      });
  };
  const timer = setInterval(runCheck, o.checkEveryMs ?? DEFAULT_QUEUE_CHECK_MS);
  timer.unref();
  const stopReconnect = watch.onReconnect(runCheck);

  // Every waiting job listens for the queue closing: one listener per job in flight is expected.
  queue.setMaxListeners(inFlight + 10);
  return {
    // runBatch keeps twice its executor's concurrency in flight.
    concurrency: Math.max(1, Math.ceil(inFlight / 2)),
    run(task) {
      const jobId = `${o.runId}-${task.index}`;
      return new Promise<ChunkResult>((resolve, reject) => {
        const p: PendingJob = { jobId, index: task.index, data: { runId: o.runId, task, pipeline: o.pipeline }, added: false, resolve, reject };
        pending.set(jobId, p);
        add(p).catch((e: unknown) => {
          pending.delete(jobId);
          reject(e as Error);
        });
      });
    },
    async close() {
      closed = true;
      clearInterval(timer);
      stopReconnect();
      watch.close();
      for (const p of pending.values()) p.reject(new Error(`queue job ${p.jobId}: the producer is closing`));
      pending.clear();
      // Closing waits for Redis to acknowledge; if it is down, the process ends anyway.
      const closing = Promise.allSettled([events.close(), queue.close()]);
      let timeout: ReturnType<typeof setTimeout> | undefined;
      const done = await Promise.race([closing.then(() => true), new Promise<false>((r) => (timeout = setTimeout(() => r(false), 2000)))]);
      clearTimeout(timeout);
      if (!done) void Promise.allSettled([events.disconnect(), queue.disconnect()]);
    },
  };
}
