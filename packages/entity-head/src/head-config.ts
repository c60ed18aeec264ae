// What SpERT's two heads (entity here, relation in @spert/relation-head) check and draw alike:
// their sizes and dropout rate, and the dropout of one forward pass.
import { SpertError } from '@spert/core';

/** Throws, naming `owner`, unless every size is a positive integer and `dropout` is in [0, 1). */
export function checkHeadConfig(owner: string, sizes: Record<string, number>, dropout: number): void {
  for (const [name, v] of Object.entries(sizes)) {
    if (!Number.isInteger(v) || v < 1) throw new SpertError('INVALID_MODEL_CONFIG', `${owner}: ${name} must be a positive integer, got ${v}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new SpertError('INVALID_MODEL_CONFIG', `${owner}: dropout must be in [0, 1), got ${dropout}`);
}

/** The dropout of one forward pass: the rate (0 outside training) and the mask seed (the caller's, else the head's next). */
export function passDropout(input: { training?: boolean; dropoutSeed?: number }, rate: number, nextSeed: () => number): { rate: number; seed: number } {
  const active = input.training === true && rate > 0;
  return { rate: active ? rate : 0, seed: active ? (input.dropoutSeed ?? nextSeed()) : 0 };
}
