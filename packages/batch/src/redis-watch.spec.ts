import { freePort, haveRedis, REDIS_SERVER, startRedis, type TestRedis } from '../../../tools/testing/redis';
import { until } from '../../../tools/testing/until';
import { displayUrl, isNetworkError, reconnectDelay, RedisWatch } from './redis-watch';

const inCi = process.env.CI === 'true';
if (!haveRedis && !inCi) console.warn(`redis-watch.spec: ${REDIS_SERVER} not found, the outage tests are skipped (apt-get install -y redis-server); in CI this fails`);

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });

describe('RedisWatch helpers', () => {
  it('tells the network errors of an outage from the others', () => {
    expect(isNetworkError(refused())).toBe(true);
    expect(isNetworkError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isNetworkError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isNetworkError(new Error('Connection is closed.'))).toBe(true);
    expect(isNetworkError(new Error('Missing key for job 1. moveToFinished'))).toBe(false);
    expect(isNetworkError('ECONNREFUSED')).toBe(false);
  });

  it('keeps credentials out of the URL it prints, and retries at most 2 s apart', () => {
    expect(displayUrl('redis://user:secret@redis-host:6379')).toBe('redis://redis-host:6379');
    expect(displayUrl('redis://redis-host:6379')).toBe('redis://redis-host:6379');
    expect([1, 2, 4, 8, 100].map(reconnectDelay)).toEqual([250, 500, 1000, 2000, 2000]);
  });
});

(haveRedis || inCi ? describe : describe.skip)('RedisWatch against a redis-server that comes and goes', () => {
  let redis: TestRedis | undefined;
  const watches: RedisWatch[] = [];
  afterEach(async () => {
    for (const w of watches.splice(0)) w.close();
    await redis?.stop();
    redis = undefined;
  });

  it('says once that Redis is unreachable at start, then a line per interval, then when it came; the same for an outage, with its length', async () => {
    const port = await freePort();
    const lines: string[] = [];
    const watch = RedisWatch.start({ url: `redis://127.0.0.1:${port}`, name: 'test', log: (l) => lines.push(l), reportEveryMs: 1000 });
    watches.push(watch);
    let reconnects = 0;
    watch.onReconnect(() => (reconnects += 1));
    // Several reconnect attempts fail within the first periodic line (they are 250-750 ms apart).
    await until('a periodic line', () => lines.some((l) => l.includes('still unreachable')), 20_000);
    expect(lines[0]).toBe(`test: Redis at redis://127.0.0.1:${port} is unreachable (ECONNREFUSED); waiting for it, a line every 1.0 s`);
    expect(lines.filter((l) => l.includes('is unreachable'))).toHaveLength(1);
    expect(lines[1]).toMatch(/^test: Redis at redis:\/\/127\.0\.0\.1:\d+ still unreachable after 1\.\d s \(ECONNREFUSED\)$/);

    redis = await startRedis({ port });
    await until('the reachable line', () => lines.some((l) => l.includes('is reachable after')), 20_000);
    expect(watch.isUp).toBe(true);
    expect(reconnects).toBe(0);
    expect(lines.at(-1)).toMatch(/^test: Redis at redis:\/\/127\.0\.0\.1:\d+ is reachable after \d+\.\d s$/);

    lines.length = 0;
    await redis.kill();
    await until('the lost line', () => lines.length > 0, 20_000);
    expect(lines[0]).toBe(`test: lost the connection to Redis at redis://127.0.0.1:${port} (connection closed); reconnecting, a line every 1.0 s while it is down`);
    expect(watch.isUp).toBe(false);
    await until('a periodic line', () => lines.some((l) => l.includes('still unreachable')), 20_000);
    await redis.restart();
    await until('the back line', () => lines.some((l) => l.includes('is back after')), 20_000);
    const back = lines.find((l) => l.includes('is back after')) as string;
    expect(Number(/after (\d+\.\d) s/.exec(back)?.[1])).toBeGreaterThanOrEqual(1);
    expect(reconnects).toBe(1);
    // One line down, periodic lines, one line back: no line per reconnect attempt, no stack trace.
    expect(lines.filter((l) => !l.includes('still unreachable'))).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/^\s+at /m);
  }, 60_000);

  it('routes BullMQ error events: network errors say nothing (their stack with verbose), others one line, worded by the caller if it likes', () => {
    const lines: string[] = [];
    const quiet = RedisWatch.start({ url: 'redis://127.0.0.1:1', name: 'w', log: (l) => lines.push(l) });
    const verbose = RedisWatch.start({ url: 'redis://127.0.0.1:1', name: 'v', log: (l) => lines.push(l), verbose: true });
    watches.push(quiet, verbose);
    // The watches' own connection attempts report asynchronously; only what error() prints now counts.
    lines.length = 0;
    quiet.error(refused());
    expect(lines).toEqual([]);
    quiet.error(new Error('Missing key for job 7. moveToFinished'));
    quiet.error(new Error('Missing key for job 8. moveToFinished'), (e) => `reworded: ${e.message}`);
    quiet.error(new Error('Missing key for job 9. moveToFinished'), () => null);
    expect(lines).toEqual(['w: Missing key for job 7. moveToFinished', 'w: reworded: Missing key for job 8. moveToFinished']);
    lines.length = 0;
    verbose.error(refused());
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^v: \(verbose\) Error: connect ECONNREFUSED 127\.0\.0\.1:1\n\s+at /);
  });
});
