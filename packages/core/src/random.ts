import { SpertError } from './errors';
// One seeded generator for the whole project (span sampling, dropout seeds, random test weights):
// mulberry32 is tiny, fast and reproducible from a 32-bit seed. The trainer keeps its own
// xoshiro128** because it must save and restore the generator's state in checkpoints.

// Module-level alias: inside a vm context (jest) a global lookup such as `Math` in a hot loop goes
// through the context's interceptors and costs far more than a local read.
const imul = Math.imul;

/** A seeded source of uniform floats in [0, 1). */
export type Rng = () => number;

function checkSeed(seed: number, who: string): number {
  if (!Number.isFinite(seed)) throw new SpertError('INVALID_OPTION', `${who}: seed must be a finite number, got ${seed}`);
  return Math.floor(seed) >>> 0;
}

/** A mulberry32 stream of unsigned 32-bit integers (e.g. one seed per dropout call). */
export function seedStream(seed: number): () => number {
  let a = checkSeed(seed, 'seedStream');
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A mulberry32 PRNG of uniform floats in [0, 1): the same stream as seedStream, divided by 2^32. */
export function createRng(seed: number): Rng {
  checkSeed(seed, 'createRng');
  const next = seedStream(seed);
  return () => next() / 4294967296;
}

// MurmurHash3's finalizer: every input bit reaches every output bit.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit seed derived from several keys (integers or strings), e.g. (seed, epoch, sequence index):
 * the generator of one item is then a function of its keys alone, not of how many numbers other
 * items drew before it (batch order, resume). Integers up to 2^53 and whole strings are mixed in;
 * `deriveSeed(1, 2)`, `deriveSeed(2, 1)` and `deriveSeed('1', 2)` all differ.
 */
export function deriveSeed(...keys: ReadonlyArray<number | string>): number {
  let h = 0x2545f491;
  const mix = (v: number) => {
    h = fmix32((h ^ v) >>> 0);
    h = (imul(h, 5) + 0xe6546b64) >>> 0;
  };
  for (const key of keys) {
    if (typeof key === 'string') {
      mix(0x51ed270b ^ key.length);
      for (let i = 0; i < key.length; i++) mix(key.charCodeAt(i));
    } else {
      if (!Number.isSafeInteger(key)) throw new SpertError('INVALID_INPUT', `deriveSeed: keys must be safe integers or strings, got ${key}`);
      const lo = key >>> 0;
      const hi = Math.floor(key / 4294967296) >>> 0;
      mix(0x7f4a7c15);
      mix(lo);
      mix(hi);
    }
  }
  return fmix32(h);
}
