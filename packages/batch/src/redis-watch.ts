// Redis outages of the queue executors (spert-predict's BullMQ queue, spert-label-studio's training
// queue): one line when Redis goes, one while it stays away, one when it is back; no stack traces.
import { SpertError } from '@spert/core';
import { Redis, type RedisOptions } from 'ioredis';

/** Default interval of the "still unreachable" line while Redis stays down (ms). */
export const DEFAULT_OUTAGE_REPORT_MS = 30_000;

/**
 * Reconnect delays of every connection to Redis (BullMQ's and the watch's): quick at first, never
 * more than 2 s apart, so a queue resumes within 2 s of Redis coming back (BullMQ's own default
 * grows to 20 s between attempts).
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(250 * attempt, 2000);
}

/** ioredis options of every connection BullMQ or the watch blocks on: BullMQ requires their commands to be retried for ever. */
export const RETRY_FOR_EVER = { maxRetriesPerRequest: null, retryStrategy: reconnectDelay } as const satisfies RedisOptions;

// What a lost or refused connection looks like; these are the outage, not a fault of ours.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
const NETWORK_MESSAGES = [/^Connection is closed\.?$/, /^connect ETIMEDOUT/, /Stream isn't writeable/, /^Reached the max retries per request limit/];

// Errors may come from another realm (node's own, under jest): checked by shape, not instanceof.
function asError(err: unknown): Error & { code?: unknown } {
  if (typeof err === 'object' && err !== null && typeof (err as Error).message === 'string') return err as Error & { code?: unknown };
  return new Error(String(err));
}

/** True for the errors a connection to Redis raises when Redis is down or unreachable (no stack trace is worth printing). */
export function isNetworkError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = asError(err);
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (e.name === 'ConnectionClosedError') return true;
  return NETWORK_MESSAGES.some((re) => re.test(e.message));
}

function reasonOf(err: unknown): string {
  const e = asError(err);
  return typeof e.code === 'string' && NETWORK_CODES.has(e.code) ? e.code : e.message;
}

/** `redis://host:port` without user name and password (log lines must not carry them). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What {@link RedisWatch.attach} needs of a BullMQ queue, queue-events or worker object. */
export interface QueueClient {
  /** BullMQ's `error` event (each failed reconnect attempt among them). */
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** Resolves once its connection to Redis is ready. */
  waitUntilReady(): Promise<unknown>;
  /** Closes it (and the connections it made). */
  close(): Promise<unknown>;
}

/** Options of {@link RedisWatch.start}. */
export interface RedisWatchOptions {
  url: string;
  /** The program (`spert-worker`): the first word of every line, and the name of the watch's Redis connection. */
  name: string;
  /** Where the lines go (one call per line, no newline). */
  log: (line: string) => void;
  /** Lines without the leading `<name>: `, for a `log` that adds its own prefix. */
  bare?: boolean;
  /** Interval of the "still unreachable" line while Redis stays down (default {@link DEFAULT_OUTAGE_REPORT_MS}). */
  reportEveryMs?: number;
  /** Also print the stack of every error, network errors included (one line each otherwise; none for network errors). */
  verbose?: boolean;
}

/**
 * Watches the connection to Redis with a connection of its own, and is the one place that speaks
 * about it: a line when Redis cannot be reached (at start: "waiting for it"; later: "lost the
 * connection"), a line every `reportEveryMs` while it stays down, a line when it is back with how
 * long it was gone. BullMQ's connections report every failed reconnect attempt as an `error`
 * event; route those through {@link RedisWatch.error}, which drops the network ones (the watch
 * already said it) and prints the others as one line.
 */
export class RedisWatch {
  private readonly client: Redis;
  private readonly url: string;
  private readonly reportEveryMs: number;
  private readonly say: (line: string) => void;
  private up = false;
  private everUp = false;
  private closing = false;
  private downSince: number;
  private reason = 'not connected yet';
  private said = false;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly upListeners = new Set<() => void>();
  private upWaiters: Array<() => void> = [];
  private lost = 0;

  private constructor(private readonly o: RedisWatchOptions) {
    this.url = displayUrl(o.url);
    this.reportEveryMs = o.reportEveryMs ?? DEFAULT_OUTAGE_REPORT_MS;
    this.say = o.bare ? o.log : (line) => o.log(`${o.name}: ${line}`);
    this.downSince = Date.now();
    this.client = new Redis(o.url, { ...RETRY_FOR_EVER, lazyConnect: true, connectionName: `${o.name}-watch` });
    this.client.on('ready', () => this.markUp());
    this.client.on('error', (err: unknown) => this.markDown(reasonOf(err)));
    this.client.on('close', () => this.markDown(this.up ? 'connection closed' : this.reason));
  }

  /** Starts watching `url`; the first line comes only if Redis cannot be reached. */
  static start(o: RedisWatchOptions): RedisWatch {
    const w = new RedisWatch(o);
    // A refused first attempt is reported through 'error'; ioredis keeps retrying.
    w.client.connect().catch(() => undefined);
    return w;
  }

  /** True while the watch's connection is up. */
  get isUp(): boolean {
    return this.up;
  }

  /** Times the connection was lost after being up: an answer from Redis given before and one given after a change of this number may describe different datasets. */
  get outages(): number {
    return this.lost;
  }

  /** Resolves once the watch's connection is up (at once if it is). */
  whenUp(): Promise<void> {
    return this.up ? Promise.resolve() : new Promise((resolve) => this.upWaiters.push(resolve));
  }

  /** Calls `listener` every time Redis comes back after an outage (not on the first connection). */
  onReconnect(listener: () => void): () => void {
    this.upListeners.add(listener);
    return () => this.upListeners.delete(listener);
  }

  /**
   * An `error` event of a BullMQ queue, worker or queue-events object: one line, or nothing if the
   * outage explains it. `explain` may word the line (a string), keep BullMQ's message (undefined)
   * or drop it (null: said already).
   */
  error(err: unknown, explain?: (err: Error) => string | null | undefined): void {
    if (this.closing) return;
    const e = asError(err);
    if (isNetworkError(e)) {
      if (this.o.verbose) this.say(`(verbose) ${e.stack ?? e.message}`);
      return;
    }
    const line = explain ? explain(e) : undefined;
    if (line !== null) this.say(`${line ?? e.message}`);
    if (this.o.verbose && e.stack) this.say(`(verbose) ${e.stack}`);
  }

  /**
   * Routes the `error` events of BullMQ objects through {@link RedisWatch.error} (without a
   * listener BullMQ prints every failed reconnect attempt as a stack trace) and waits until they
   * are ready. If they cannot be, closes them and this watch and throws `RUNTIME_UNAVAILABLE`.
   */
  async attach(clients: QueueClient[]): Promise<void> {
    for (const c of clients) c.on('error', (e) => this.error(e));
    try {
      await Promise.all(clients.map((c) => c.waitUntilReady()));
    } catch (e) {
      this.close();
      await Promise.allSettled(clients.map((c) => c.close()));
      throw new SpertError('RUNTIME_UNAVAILABLE', `--queue ${this.o.url}: cannot use Redis (${asError(e).message})`);
    }
  }

  /** Stops watching (no more lines). */
  close(): void {
    this.closing = true;
    this.stopReports();
    this.upListeners.clear();
    this.client.disconnect();
  }

  private markDown(reason: string): void {
    if (this.closing) return;
    this.reason = reason;
    if (!this.up && this.said) return;
    if (this.up) {
      this.up = false;
      this.lost += 1;
      this.downSince = Date.now();
      this.say(`lost the connection to Redis at ${this.url} (${reason}); reconnecting, a line every ${seconds(this.reportEveryMs)} while it is down`);
    } else {
      this.say(`Redis at ${this.url} is unreachable (${reason}); waiting for it, a line every ${seconds(this.reportEveryMs)}`);
    }
    this.said = true;
    this.timer = setInterval(() => this.say(`Redis at ${this.url} still unreachable after ${seconds(Date.now() - this.downSince)} (${this.reason})`), this.reportEveryMs);
    this.timer.unref();
  }

  private markUp(): void {
    if (this.closing || this.up) return;
    this.up = true;
    this.stopReports();
    const was = this.everUp;
    this.everUp = true;
    if (this.said) this.say(`Redis at ${this.url} is ${was ? 'back' : 'reachable'} after ${seconds(Date.now() - this.downSince)}`);
    this.said = false;
    for (const resolve of this.upWaiters.splice(0)) resolve();
    if (was) for (const l of this.upListeners) l();
  }

  private stopReports(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
