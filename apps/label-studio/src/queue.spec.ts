import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { haveRedis, REDIS_SERVER, startRedis, type TestRedis } from '../../../tools/testing/redis';
import { fixture, startFakeLabelStudio, until, writeTinyModel, type FakeLabelStudio } from '../test/helpers';
import { parseLabelStudioArgs, runLabelStudio } from './cli';
import { redisConnection } from '@spert/batch';
import { queueTrainExecutor, startTrainWorker } from './queue';
import { parseTrainWorkerArgs, runTrainWorker } from './worker-cli';

// spert-label-studio --queue: training runs as a BullMQ job on a redis-server started here on
// 127.0.0.1, taken by a spert-label-studio-worker (in this process), and the backend swaps in its model.

const inCi = process.env.CI === 'true';
if (!haveRedis && !inCi) console.warn(`label-studio queue.spec: ${REDIS_SERVER} not found, the BullMQ test is skipped (apt-get install -y redis-server); in CI this fails`);

describe('queue options', () => {
  it('refuses what is not a Redis URL, naming the flag', () => {
    expect(() => redisConnection('localhost:6379')).toThrow('--queue: expected redis://host:port (or rediss://), got "localhost:6379"');
    expect(parseLabelStudioArgs(['node', 'x', '--model', 'm', '--queue', 'redis://h:1'], {})).toMatchObject({ queue: 'redis://h:1', queueName: 'spert-label-studio' });
    expect(parseTrainWorkerArgs(['node', 'x', '--queue', 'redis://h:1'])).toEqual({ queue: 'redis://h:1', queueName: 'spert-label-studio', lockMs: 600_000 });
  });
});

(haveRedis || inCi ? describe : describe.skip)('spert-label-studio --queue with a spert-label-studio-worker on Redis (BullMQ)', () => {
  let redis: TestRedis;
  let root: string;
  let ls: FakeLabelStudio;
  beforeAll(async () => {
    redis = await startRedis();
    root = await mkdtemp(path.join(tmpdir(), 'spert-ls-queue-'));
    await writeTinyModel(path.join(root, 'model'));
    ls = await startFakeLabelStudio({ projectId: 3, token: 'tok', tasks: fixture<unknown[]>('export.json') });
  }, 60_000);
  afterAll(async () => {
    await ls?.close();
    await redis?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('a webhook becomes a job, the worker trains, the backend predicts with the new version', async () => {
    const workerLog: string[] = [];
    const worker = await runTrainWorker({ argv: ['node', 'w', '--queue', redis.url, '--queue-name', 'q1'], signals: { once: () => undefined }, log: (l) => workerLog.push(l) });
    const logs: string[] = [];
    const started = await runLabelStudio({
      argv: ['node', 'spert-label-studio', '--model', path.join(root, 'model'), '--port', '0', '--work-dir', path.join(root, 'work'), '--queue', redis.url, '--queue-name', 'q1',
        '--debounce-ms', '0', '--held-out', '0', '--epochs', '2', '--lr', '0.01', '--log-level', 'silent', '--label-studio-url', ls.url, '--label-studio-token', 'tok'],
      workerFile: path.join(__dirname, 'train-worker.ts'),
      env: {},
      signals: { once: () => undefined, removeListener: () => undefined },
      exit: () => undefined,
      log: (l) => logs.push(l),
    });
    try {
      const v0 = started.backend.modelVersion;
      const res = await fetch(`${started.url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fixture('webhook-annotation-created.json')) });
      expect(res.status).toBe(201);
      await started.backend.scheduler.idle();
      expect(started.backend.lastTraining?.error).toBeUndefined();
      expect(started.backend.lastTraining?.result).toMatchObject({ accepted: true, steps: 2 });
      expect(started.backend.modelVersion).not.toBe(v0);
      expect(logs.some((l) => l.includes('with BullMQ queue q1 on redis://127.0.0.1:'))).toBe(true);
      expect(workerLog.some((l) => /^job \S+: training on 3 tasks \(0 held out\)$/.test(l))).toBe(true);
      expect(ls.exports).toBe(1);
    } finally {
      await started.app.close();
      await worker.close();
    }
  }, 60_000);
});

(haveRedis || inCi ? describe : describe.skip)('a Redis outage under spert-label-studio --queue and its worker', () => {
  let redis: TestRedis | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('is one line when Redis goes, one a second while it is away, one when it is back, from both sides, without a stack trace', async () => {
    redis = await startRedis();
    const backendLog: string[] = [];
    const workerLog: string[] = [];
    const executor = await queueTrainExecutor({ url: redis.url, name: 'outage', log: (l) => backendLog.push(l), outageReportMs: 1000 });
    const worker = await startTrainWorker({ url: redis.url, name: 'outage', log: (l) => workerLog.push(l), outageReportMs: 1000 });
    try {
      expect([...backendLog, ...workerLog]).toEqual([]); // Redis was there: nothing to say
      await redis.kill();
      for (const [who, lines] of [['backend', backendLog], ['worker', workerLog]] as const) {
        await until(`the ${who}'s periodic line`, () => lines.some((l) => l.includes('still unreachable')), 20_000);
        expect(lines[0]).toBe(`lost the connection to Redis at ${redis.url} (connection closed); reconnecting, a line every 1.0 s while it is down`);
      }
      await redis.restart();
      for (const [who, lines] of [['backend', backendLog], ['worker', workerLog]] as const) {
        await until(`the ${who}'s back line`, () => lines.some((l) => l.includes('is back after')), 20_000);
        // One line down, periodic lines, one line back: no line per reconnect attempt of BullMQ's connections.
        expect(lines.filter((l) => !l.includes('still unreachable'))).toEqual([lines[0], expect.stringMatching(new RegExp(`^Redis at ${redis.url.replace(/[.]/g, '\\.')} is back after \\d+\\.\\d s$`))]);
        expect(lines.join('\n')).not.toMatch(/^\s+at /m);
      }
    } finally {
      await worker.close();
      await executor.close();
    }
  }, 60_000);
});
