// Training as BullMQ jobs on Redis (--queue): the backend adds a job per run and waits for its
// result; spert-label-studio-worker processes (on this machine or on others sharing the work
// directory's path) take the jobs and train. Redis outages are reported by @spert/batch's RedisWatch,
// as spert-predict's are: a line when Redis goes, one every 30 s while it is away, one when it is back.
import { redisConnection, RedisWatch } from '@spert/batch';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { TrainExecutor } from './backend';
import { runTrainJob, type TrainJob, type TrainJobResult } from './train-job';

/** BullMQ queue the backend and its workers use unless told otherwise. */
export const DEFAULT_TRAIN_QUEUE = 'spert-label-studio';

/** Options of {@link queueTrainExecutor} and {@link startTrainWorker}. */
export interface TrainQueueOptions {
  /** Redis, `redis://host:port`. */
  url: string;
  /** BullMQ queue name (default {@link DEFAULT_TRAIN_QUEUE}). */
  name?: string;
  /** Where the lines about jobs and Redis outages go (one call per line, no program prefix); default: nowhere. */
  log?: (line: string) => void;
  /** Interval of the "still unreachable" line while Redis is down (ms; default RedisWatch's 30 s). */
  outageReportMs?: number;
}

/** Runs training jobs as BullMQ jobs on the queue `name` at `url` (spert-label-studio --queue). */
export async function queueTrainExecutor(o: TrainQueueOptions): Promise<TrainExecutor> {
  const name = o.name ?? DEFAULT_TRAIN_QUEUE;
  const connection = redisConnection(o.url);
  const watch = RedisWatch.start({ url: o.url, name: 'spert-label-studio', log: o.log ?? (() => undefined), bare: true, reportEveryMs: o.outageReportMs });
  const queue = new Queue<TrainJob, TrainJobResult>(name, { connection });
  const events = new QueueEvents(name, { connection });
  await watch.attach([queue, events]);
  return {
    description: `BullMQ queue ${name} on ${o.url} (spert-label-studio-worker processes train)`,
    async run(job) {
      const added = await queue.add('train', job, { attempts: 1, removeOnComplete: true, removeOnFail: 100 });
      return (await added.waitUntilFinished(events)) as TrainJobResult;
    },
    async close() {
      watch.close();
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}

/** A running training worker. */
export interface RunningTrainWorker {
  /** Stops taking jobs and lets the running one finish. */
  close(): Promise<void>;
}

/**
 * Takes training jobs from the queue `name` at `url` and runs them in this process, one at a
 * time. Training holds the process for minutes, so a job's lock lasts `lockMs` (default 10 min)
 * before another worker may take it over.
 */
export async function startTrainWorker(o: TrainQueueOptions & { lockMs?: number }): Promise<RunningTrainWorker> {
  const log = o.log ?? (() => undefined);
  const connection = redisConnection(o.url);
  const watch = RedisWatch.start({ url: o.url, name: 'spert-label-studio-worker', log, bare: true, reportEveryMs: o.outageReportMs });
  const worker = new Worker<TrainJob, TrainJobResult>(
    o.name ?? DEFAULT_TRAIN_QUEUE,
    async (job) => {
      log(`job ${job.id}: training on ${job.data.train.length} tasks (${job.data.heldOut.length} held out)`);
      const result = await runTrainJob(job.data);
      log(`job ${job.id}: ${result.summary}`);
      return result;
    },
    { connection, concurrency: 1, lockDuration: o.lockMs ?? 600_000, maxStalledCount: 1 },
  );
  worker.on('failed', (job, err) => log(`job ${job?.id ?? '?'} failed: ${err.message}`));
  // The same error routing and start-up check as the backend's queue: an unusable Redis closes both and says so.
  await watch.attach([worker]);
  return {
    async close() {
      watch.close();
      await worker.close();
    },
  };
}
