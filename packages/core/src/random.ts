import { SpertError } from './errors';
// One seeded generator for the whole project (span sampling, dropout masks and seeds, weight
// initialisation, random test weights): mulberry32 is tiny, fast and reproducible from a 32-bit
// seed. Every package draws from createRng; the trainer's epoch order is the one exception: it
// uses xoshiro128** (@spert/trainer Xoshiro128) because saved training states hold that state.

// Module-level aliases: inside a vm context (jest) a global lookup such as `Math` in a hot loop
// goes through the context's interceptors and costs far more than a local read.
const { imul, sqrt, log, sin, cos } = Math;
const TWO_PI = 2 * Math.PI;

/** A seeded source of uniform floats in [0, 1): what samplers and maskers accept. */
export type Rng = () => number;

/** The project's seeded generator ({@link createRng}): uniform floats when called, plus the same stream's raw words and normal samples. */
export interface SeededRng extends Rng {
  /** The next raw unsigned 32-bit output; calling the generator returns this divided by 2^32 (one step of the same stream). */
  uint32(): number;
  /** A standard normal sample (Box-Muller on two uniforms; the second value of each pair serves the next call). */
  normal(): number;
}

/** The project's one seeded generator: mulberry32 from a 32-bit seed; see {@link SeededRng}. */
export function createRng(seed: number): SeededRng {
  if (!Number.isFinite(seed)) throw new SpertError('INVALID_OPTION', `createRng: seed must be a finite number, got ${seed}`);
  let a = Math.floor(seed) >>> 0;
  const uint32 = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const uniform = (): number => uint32() / 4294967296;
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = sqrt(-2 * log(u));
    spare = r * sin(TWO_PI * v);
    return r * cos(TWO_PI * v);
  };
  return Object.assign(uniform, { uint32, normal });
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
