import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { exportTrainedModel, writeConllJsonl } from '../test/fixtures';
import { haveRedis, REDIS_SERVER, startRedis, type TestRedis } from '../../../tools/testing/redis';
import { startWorker as spawnWorker, until, type SpawnedWorker } from '../test/processes';
import { sink } from '../test/sink';
import { runPredict } from './cli';
import { parseWorkerArgs } from './worker-cli';

// Across machines: spert-predict --queue as the producer, spert-worker processes (from source
// through tsx) taking chunk jobs from a redis-server started here on 127.0.0.1.

const inCi = process.env.CI === 'true';
if (!haveRedis && !inCi) console.warn(`queue.spec: ${REDIS_SERVER} not found, queue tests skipped (apt-get install -y redis-server); in CI this fails`);

const appDir = path.resolve(__dirname, '..');
const argv = (...args: string[]) => ['node', 'spert-predict', ...args];

describe('parseWorkerArgs', () => {
  it('reads the options, with 30 s locks, a 20 s shutdown bound and cores / concurrency intra-op threads by default', () => {
    expect(parseWorkerArgs(['node', 'spert-worker', '--queue', 'redis://h:1', '--model', 'm', '--concurrency', '2'], 8)).toEqual({
      queue: 'redis://h:1',
      queueName: 'spert-predict',
      model: 'm',
      concurrency: 2,
      intraOpThreads: 4,
      lockMs: 30_000,
      outageReportS: 30,
      shutdownTimeoutMs: 20_000,
      verbose: false,
    });
    expect(() => parseWorkerArgs(['node', 'spert-worker', '--queue', 'redis://h:1', '--model', 'm', '--lock-ms', '10'])).toThrow('--lock-ms: expected an integer from 500');
    expect(() => parseWorkerArgs(['node', 'spert-worker', '--queue', 'redis://h:1', '--model', 'm', '--shutdown-timeout-ms', '1.5'])).toThrow('--shutdown-timeout-ms: expected an integer from 0 to 3600000, got "1.5"');
  });
});

(haveRedis || inCi ? describe : describe.skip)('spert-predict --queue with spert-worker processes on Redis (BullMQ)', () => {
  let root: string;
  let modelDir: string;
  let input: string;
  let reference: string;
  let redis: TestRedis;
  const workers: SpawnedWorker[] = [];
  // Verbose: the tests follow the chunks each worker starts and finishes.
  const startWorker = (url: string, modelDir: string, queueName: string) => spawnWorker(url, modelDir, queueName, ['--lock-ms', '1500', '--verbose']);

  beforeAll(async () => {
    redis = await startRedis();
    root = await mkdtemp(path.join(tmpdir(), 'spert-predict-queue-'));
    modelDir = await exportTrainedModel(root);
    input = await writeConllJsonl(path.join(root, 'test.jsonl'));
    const out = path.join(root, 'one-thread.jsonl');
    await runPredict({ argv: argv('--model', modelDir, '--input', input, '--output', out, '--chunk-size', '8', '--intra-op-threads', '1', '--no-progress'), stderr: sink() });
    reference = await readFile(out, 'utf8');
  }, 120_000);

  afterEach(async () => {
    for (const w of workers.splice(0)) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      await w.exited;
    }
  });

  afterAll(async () => {
    await redis?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('two queue workers write byte-identical output to one thread on CoNLL04 test; SIGTERM stops them cleanly', async () => {
    workers.push(startWorker(redis.url, modelDir, 'q-two'), startWorker(redis.url, modelDir, 'q-two'));
    const out = path.join(root, 'queue.jsonl');
    const stderr = sink();
    const s = await runPredict({ argv: argv('--model', modelDir, '--input', input, '--output', out, '--chunk-size', '8', '--queue', redis.url, '--queue-name', 'q-two', '--no-progress'), stderr });
    expect(s).toMatchObject({ documents: 288, errors: 0, chunks: 36 });
    expect(await readFile(out, 'utf8')).toBe(reference);
    // Both took part.
    for (const w of workers) expect(w.log()).toMatch(/chunk \d+ done/);
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) expect(await w.exited).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('a worker killed with SIGKILL mid-job: its job goes to the other worker and every document is written exactly once', async () => {
    const victim = startWorker(redis.url, modelDir, 'q-kill');
    const survivor = startWorker(redis.url, modelDir, 'q-kill');
    workers.push(victim, survivor);
    const out = path.join(root, 'killed.jsonl');
    const done = runPredict({ argv: argv('--model', modelDir, '--input', input, '--output', out, '--chunk-size', '8', '--queue', redis.url, '--queue-name', 'q-kill', '--no-progress'), stderr: sink() });
    // Kill the victim while a chunk of its own is started and not done.
    let held = -1;
    await until('the victim to be inside a job', () => {
      const started = [...victim.log().matchAll(/chunk (\d+) started/g)].map((m) => Number(m[1]));
      const finished = new Set([...victim.log().matchAll(/chunk (\d+) done/g)].map((m) => Number(m[1])));
      held = started.find((c) => !finished.has(c)) ?? -1;
      return held >= 0 && finished.size >= 1;
    });
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    const s = await done;
    expect(s).toMatchObject({ documents: 288, errors: 0, chunks: 36 });
    expect(await readFile(out, 'utf8')).toBe(reference);
    // The survivor picked the dead worker's chunk up after its lock expired.
    expect(survivor.log()).toMatch(new RegExp(`chunk ${held} done`));
    const ids = (await readFile(out, 'utf8')).trimEnd().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    expect(new Set(ids).size).toBe(288);
  }, 180_000);

  it('a producer killed with SIGKILL resumes: the rerun finds its stored chunks and its earlier jobs, and writes the uninterrupted output', async () => {
    workers.push(startWorker(redis.url, modelDir, 'q-producer'));
    const out = path.join(root, 'producer.jsonl');
    const args = ['--model', modelDir, '--input', input, '--output', out, '--chunk-size', '8', '--queue', redis.url, '--queue-name', 'q-producer', '--no-progress'];
    const producer = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { cwd: appDir, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => producer.on('exit', (_c, signal) => resolve(signal)));
    const stored = async () => (await readdir(`${out}.parts`).catch(() => [] as string[])).filter((f) => /^\d+\.jsonl$/.test(f)).length;
    for (;;) {
      if ((await stored()) >= 4) break;
      if (producer.exitCode !== null) throw new Error('the producer finished before it could be killed');
      await new Promise((r) => setTimeout(r, 20));
    }
    producer.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const before = await stored();
    const stderr = sink();
    const s = await runPredict({ argv: argv(...args), stderr });
    expect(s.resumedChunks).toBeGreaterThanOrEqual(before);
    expect(s).toMatchObject({ documents: 288, chunks: 36 });
    expect(await readFile(out, 'utf8')).toBe(reference);
  }, 180_000);
});
