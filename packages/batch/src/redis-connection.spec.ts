import { EventEmitter } from 'node:events';
import { isSpertError } from '@spert/core';
import { redisConnection } from './redis-connection';
import { RedisWatch, type QueueClient } from './redis-watch';

describe('redisConnection', () => {
  it('gives BullMQ the URL with a retry-for-ever policy', () => {
    const c = redisConnection('rediss://h:6380/2');
    expect(c).toMatchObject({ url: 'rediss://h:6380/2', maxRetriesPerRequest: null });
    expect([1, 8, 100].map((n) => (c.retryStrategy as (n: number) => number)(n))).toEqual([250, 2000, 2000]);
  });
  it('refuses what is not a Redis URL, naming the flag', () => {
    for (const url of ['localhost:6379', 'localhost', 'http://h:1']) {
      let err: unknown;
      try {
        redisConnection(url, '--redis');
      } catch (e) {
        err = e;
      }
      expect(isSpertError(err) && err.code).toBe('INVALID_OPTION');
      expect((err as Error).message).toBe(`--redis: expected redis://host:port (or rediss://), got "${url}"`);
    }
  });
});

// A stand-in for a BullMQ queue: an emitter whose readiness the test decides.
class FakeClient extends EventEmitter implements QueueClient {
  closed = false;
  constructor(private readonly ready: Promise<unknown>) {
    super();
  }
  waitUntilReady(): Promise<unknown> {
    return this.ready;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('RedisWatch.attach', () => {
  // Port 1 refuses at once: the watch stays down, and its lines are collected.
  const start = (lines: string[]) => RedisWatch.start({ url: 'redis://127.0.0.1:1', name: 'test', log: (l) => lines.push(l), reportEveryMs: 60_000 });

  it('routes client errors through the watch: network ones dropped, others one line each', async () => {
    const lines: string[] = [];
    const watch = start(lines);
    const client = new FakeClient(Promise.resolve());
    await watch.attach([client]);
    client.emit('error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    client.emit('error', new Error('Missing lock for job 3'));
    watch.close();
    expect(lines.filter((l) => !l.includes('unreachable'))).toEqual(['test: Missing lock for job 3']);
    expect(client.closed).toBe(false);
  });

  it('closes the clients and throws RUNTIME_UNAVAILABLE when one cannot get ready', async () => {
    const watch = start([]);
    const clients = [new FakeClient(Promise.resolve()), new FakeClient(Promise.reject(new Error('NOAUTH')))];
    let err: unknown;
    try {
      await watch.attach(clients);
    } catch (e) {
      err = e;
    }
    expect(isSpertError(err) && err.code).toBe('RUNTIME_UNAVAILABLE');
    expect((err as Error).message).toBe('--queue redis://127.0.0.1:1: cannot use Redis (NOAUTH)');
    expect(clients.map((c) => c.closed)).toEqual([true, true]);
  });
});
