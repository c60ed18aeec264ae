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

// mulberry32 is a counter passed through a mixer: its n-th output depends on the seed and n only.
const MULBERRY_STEP = 0x6d2b79f5;

/** The mixer of mulberry32 applied to one counter value `a` (a uint32). */
function mulberry32Mix(a: number): number {
  let t = imul(a ^ (a >>> 15), a | 1);
  t ^= t + imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** mulberry32's state after n steps from the uint32 seed s: s + n * 0x6d2b79f5 mod 2^32 (n split into 16-bit halves to stay exact). */
function counterAt(s: number, n: number): number {
  return (s + imul(n % 65536, MULBERRY_STEP) + (imul(Math.floor(n / 65536) % 65536, MULBERRY_STEP) << 16)) >>> 0;
}

/**
 * Word `index` (0-based) of createRng(seed).uint32()'s stream, computed directly: mulberry32's
 * state after n steps is seed + n * 0x6d2b79f5, so any word can be drawn without the ones before
 * (masks in parallel, or recomputed for a gradient instead of stored).
 */
export function rngWordAt(seed: number, index: number): number {
  if (!Number.isFinite(seed)) throw new SpertError('INVALID_OPTION', `rngWordAt: seed must be a finite number, got ${seed}`);
  if (!Number.isSafeInteger(index) || index < 0) throw new SpertError('INVALID_OPTION', `rngWordAt: index must be a non-negative safe integer, got ${index}`);
  return mulberry32Mix(counterAt(Math.floor(seed) >>> 0, index + 1));
}

/** Rows of a larger matrix that a smaller one holds (ascending row indices into `total` rows). */
export interface RowSelection {
  /** Row indices into the larger matrix, ascending, one per row of the smaller one. */
  rows: Int32Array;
  /** Rows of the larger matrix. */
  total: number;
}

/** The validated arguments of one dropout as dropoutInto and a kernel of it use them. */
export interface DropoutPlan {
  /** Rows of x (1 without a selection). */
  rows: number;
  /** Elements per row. */
  inner: number;
  /** The seed as a uint32. */
  seed: number;
  /** Elements whose word is >= this uint32 are kept (ceil(rate * 2^32); 0 when nothing is kept, with keep 0). */
  threshold: number;
  /** The float32 scale of kept elements, fround(1 / (1 - rate)) (0 when nothing is kept). */
  keep: number;
}

/** Checks the arguments of a dropout of `length` elements (named errors) and derives its plan. */
export function dropoutPlan(length: number, rate: number, seed: number, selection?: RowSelection): DropoutPlan {
  if (!(rate >= 0 && rate < 1)) throw new SpertError('INVALID_OPTION', `dropout: rate must be in [0, 1), got ${rate}`);
  if (!Number.isFinite(seed)) throw new SpertError('INVALID_OPTION', `dropout: seed must be a finite number, got ${seed}`);
  const rows = selection?.rows;
  const count = rows ? rows.length : 1;
  if (length % Math.max(1, count) !== 0) throw new SpertError('INVALID_INPUT', `dropout: ${length} elements are not ${count} rows`);
  if (rows && rows.some((r, i) => !(r >= 0 && r < selection.total) || (i > 0 && r <= rows[i - 1]))) {
    throw new SpertError('INVALID_INPUT', `dropout: selection must be ${count} ascending rows in [0, ${selection.total})`);
  }
  // word >= rate * 2^32 for a uint32 word is word >= ceil(rate * 2^32); from 2^32 on nothing is kept
  const threshold = Math.ceil(rate * 4294967296);
  const none = threshold > 0xffffffff;
  return { rows: count, inner: count === 0 ? 0 : length / count, seed: Math.floor(seed) >>> 0, threshold: none ? 0 : threshold, keep: none ? 0 : Math.fround(1 / (1 - rate)) };
}

/**
 * Inverted dropout of `x` into `y` (which may be `x`): element i is kept and scaled by
 * fround(1 / (1 - rate)) when word i of createRng(seed)'s stream is >= rate * 2^32, else zeroed
 * (x * 0, so signs and NaN are kept as a multiply by the mask keeps them); float32 products, as
 * multiplying x by a float32 mask tensor gives. With `selection`, x holds only the given rows of
 * a [total, x.length / rows] matrix and element (r, j) uses word rows[r] * inner + j: the mask of
 * those rows in the whole matrix. The masks are those that drawing the stream in order gives
 * (createRng(seed).uint32() per element), computed from each element's index.
 */
export function dropoutInto(x: Float32Array, y: Float32Array, rate: number, seed: number, selection?: RowSelection): void {
  if (y.length !== x.length) throw new SpertError('INVALID_INPUT', `dropout: y has ${y.length} elements, x ${x.length}`);
  const { rows, inner, seed: s, threshold, keep } = dropoutPlan(x.length, rate, seed, selection);
  for (let r = 0; r < rows; r++) {
    // the counter of the row's first element (word start is the state after start + 1 steps)
    let a = counterAt(s, (selection ? selection.rows[r] * inner : 0) + 1);
    for (let i = r * inner, end = i + inner; i < end; i++) {
      y[i] = x[i] * (mulberry32Mix(a) >= threshold ? keep : 0);
      a = (a + MULBERRY_STEP) >>> 0;
    }
  }
}
