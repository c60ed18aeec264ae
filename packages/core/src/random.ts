// One seeded generator for the whole project (span sampling, dropout seeds, random test weights):
// mulberry32 is tiny, fast and reproducible from a 32-bit seed. The trainer keeps its own
// xoshiro128** because it must save and restore the generator's state in checkpoints.

// Module-level alias: inside a vm context (jest) a global lookup such as `Math` in a hot loop goes
// through the context's interceptors and costs far more than a local read.
const imul = Math.imul;

/** A seeded source of uniform floats in [0, 1). */
export type Rng = () => number;

function checkSeed(seed: number, who: string): number {
  if (!Number.isFinite(seed)) throw new Error(`${who}: seed must be a finite number, got ${seed}`);
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
