// Seeded pseudo-random numbers so that initialisation and dropout are reproducible from a seed.
import { createRng } from '@spert/core';

// Module-level aliases: inside a vm context (jest) every global lookup such as `Math` in a hot
// loop goes through the context's interceptors and costs far more than a local read.
const { sqrt, log, sin, cos } = Math;
const TWO_PI = 2 * Math.PI;

/** A deterministic generator of uniform and normal numbers (mulberry32 + Box-Muller). */
export class SeededRandom {
  private readonly next: () => number;
  private spare: number | null = null;

  /** Starts the sequence from an integer seed. */
  constructor(seed: number) {
    // The project's mulberry32, on a mixed seed so that it does not repeat other streams of the same seed.
    this.next = createRng((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Standard normal sample. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = sqrt(-2 * log(u));
    this.spare = r * sin(TWO_PI * v);
    return r * cos(TWO_PI * v);
  }

  /** A fresh 31-bit integer, e.g. to seed a tfjs op. */
  int(): number {
    return Math.floor(this.uniform() * 2147483647);
  }

  /** `count` values from N(0, std^2). */
  normalArray(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * std;
    return out;
  }
}
