// Weight initialisation and the encoders' dropout seeds draw from @spert/core's one generator on
// the seed xor-ed with 0x9e3779b9, so that they do not repeat the span-sampling stream of the same
// seed; the mix is kept so that every seed saved with a model still means the same weights.
import { createRng, type SeededRng } from '@spert/core';

/** The generator that initialises an encoder's weights (and draws its dropout seeds) from an integer seed. */
export function initRng(seed: number): SeededRng {
  return createRng((Math.floor(seed) ^ 0x9e3779b9) >>> 0);
}

/** `count` values from N(0, std^2) drawn in order from `rng`. */
export function normalArray(rng: SeededRng, count: number, std: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = rng.normal() * std;
  return out;
}
