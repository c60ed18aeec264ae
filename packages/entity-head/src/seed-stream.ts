/**
 * A seeded stream of 32-bit integers (mulberry32) that gives each dropout call its own seed, so a
 * training run is reproducible from one number. Kept local: this package must not depend on
 * @spert/span-sampler, which exports the same generator as `createRng`.
 */
export function seedStream(seed: number): () => number {
  let a = Math.floor(seed) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
