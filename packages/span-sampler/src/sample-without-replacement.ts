import type { Rng } from '@spert/core';

/** Draws min(k, items.length) distinct items uniformly (partial Fisher-Yates), in draw order. */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, rng: Rng): T[] {
  const n = Math.min(Math.max(0, Math.floor(k)), items.length);
  const pool = items.slice();
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return pool.slice(0, n);
}
