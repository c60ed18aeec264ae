import { SpertError } from '@spert/core';
// The training loop's generator (batch order, ctx.rng: span sampling, dropout seeds). It is not
// @spert/core's createRng (mulberry32) on purpose: its whole state is saved in
// training_state.json so that a resumed run draws exactly the numbers the uninterrupted run would
// have drawn, and the training states saved so far hold xoshiro128**'s four words; switching
// algorithms would make every saved run unresumable and change the epoch order of every seed.

/** Saveable state of an {@link Xoshiro128}: four unsigned 32-bit words. */
export type Xoshiro128State = [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** The xoshiro128** generator with exportable state, for the training loop's resumable randomness. */
export class Xoshiro128 {
  private s: Uint32Array;

  /** Seeds the generator; any integer (or a saved state) is accepted. */
  constructor(seed: number | Xoshiro128State) {
    this.s = new Uint32Array(4);
    if (Array.isArray(seed)) {
      this.setState(seed);
    } else {
      if (!Number.isFinite(seed)) throw new SpertError('INVALID_OPTION', `Xoshiro128: seed must be a finite number, got ${seed}`);
      const next = splitmix32(Math.floor(seed));
      for (let i = 0; i < 4; i++) this.s[i] = next();
      if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
    }
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new SpertError('INVALID_INPUT', `Xoshiro128.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Copy of the current state (for checkpoints). */
  getState(): Xoshiro128State {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /** Restores a state from {@link getState}. */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) {
      throw new SpertError('INVALID_INPUT', `Xoshiro128: state must be 4 unsigned 32-bit integers, got ${JSON.stringify(state)}`);
    }
    if (state.every((x) => x === 0)) throw new SpertError('INVALID_INPUT', 'Xoshiro128: the all-zero state is invalid for xoshiro128**');
    for (let i = 0; i < 4; i++) this.s[i] = state[i];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fisher-Yates permutation of 0..n-1 drawn from `rng`. */
export function permutation(n: number, rng: Xoshiro128): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}
