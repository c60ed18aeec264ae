// How every BullMQ connection of the project (spert-predict's chunk queue, spert-label-studio's
// training queue, and the RedisWatch beside each) reaches Redis: one URL check, one retry policy.
import { SpertError } from '@spert/core';
import { RETRY_FOR_EVER } from './redis-watch';

/** What {@link redisConnection} gives: BullMQ's and ioredis's options take it as it is. */
export type RedisConnectionOptions = { url: string } & typeof RETRY_FOR_EVER;

/**
 * BullMQ connection options for a `redis://host:port` (or `rediss://`) URL: retried for ever,
 * reconnecting within 2 s of Redis coming back. Throws `INVALID_OPTION` naming `flag` on anything
 * else, so a CLI can refuse a bad URL before any work.
 */
export function redisConnection(url: string, flag = '--queue'): RedisConnectionOptions {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')) throw new SpertError('INVALID_OPTION', `${flag}: expected redis://host:port (or rediss://), got "${url}"`);
  return { url, ...RETRY_FOR_EVER };
}
