import type { ChunkExecutor, ChunkResult, ChunkTask } from '@spert/batch';
import { Queue, QueueEvents } from 'bullmq';
// BullMQ loads ioredis (its optional peer) at run time from these options: the dependency is ours to declare.
import type { RedisOptions } from 'ioredis';
import type { ModelOptions } from './model-options';

/** BullMQ queue spert-predict and spert-worker use unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'spert-predict';

/** What a queue job carries: the chunk, and the pipeline settings that shape its bytes (the worker brings its own model path and threads). */
export interface ChunkJobData {
  runId: string;
  task: ChunkTask;
  pipeline: Pick<ModelOptions, 'batchSize' | 'onTooLong'>;
}

/** Connection options of BullMQ for a `redis://host:port` URL; throws naming the flag on anything else. */
export function redisConnection(url: string, flag = '--queue'): { url: string } & Pick<RedisOptions, 'maxRetriesPerRequest'> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${flag}: expected redis://host:port, got "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`${flag}: expected redis://host:port (or rediss://), got "${url}"`);
  // Workers block on Redis; BullMQ requires ioredis to retry their commands for ever.
  return { url, maxRetriesPerRequest: null };
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
}

function asResult(value: unknown, jobId: string): ChunkResult {
  const v = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (typeof v !== 'object' || v === null || typeof (v as ChunkResult).output !== 'string' || !Array.isArray((v as ChunkResult).errors)) {
    throw new Error(`queue job ${jobId}: the worker returned no chunk result (is it a spert-worker of this version?)`);
  }
  return v as ChunkResult;
}

/**
 * Runs chunks as BullMQ jobs on Redis: any number of `spert-worker`s on any machines take them.
 * A job whose worker dies (its lock expires) goes back to the queue and another worker takes it;
 * the producer stores each chunk's result once, by index, so every document is written exactly once
 * however often a job ran.
 */
export async function queueExecutor(o: QueueExecutorOptions): Promise<ChunkExecutor> {
  const connection = redisConnection(o.url);
  const name = o.name ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue<ChunkJobData, ChunkResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  } catch (e) {
    await Promise.allSettled([queue.close(), events.close()]);
    throw new Error(`--queue ${o.url}: cannot reach Redis (${(e as Error).message})`);
  }
  const inFlight = o.inFlight ?? 16;
  // Every waiting job listens for the queue closing: one listener per job in flight is expected.
  queue.setMaxListeners(inFlight + 10);
  events.setMaxListeners(inFlight * 2 + 10);
  return {
    // runBatch keeps twice its executor's concurrency in flight.
    concurrency: Math.max(1, Math.ceil(inFlight / 2)),
    async run(task) {
      const jobId = `${o.runId}-${task.index}`;
      // Same id as an earlier producer's job: BullMQ keeps the existing one (finished or not).
      const job = await queue.add('chunk', { runId: o.runId, task, pipeline: o.pipeline }, { jobId, attempts: o.attempts ?? 3, backoff: { type: 'exponential', delay: 1000 } });
      const value: unknown = await job.waitUntilFinished(events);
      const result = asResult(value, jobId);
      // The result is on disk once runBatch stores it; Redis need not keep a copy.
      await job.remove().catch(() => undefined);
      return result;
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}
