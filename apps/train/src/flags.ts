import { SpertError } from '@spert/core';
// commander value parsers shared by spert-train, spert-experiment and spert-pretrain: they only
// turn text into numbers; ranges are the zod schemas' (which list every bad field at once).

/** Parses an integer flag value. */
export const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new SpertError('INVALID_OPTION', `expected an integer, got "${v}"`);
  return n;
};

/** Parses a number flag value. */
export const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SpertError('INVALID_OPTION', `expected a number, got "${v}"`);
  return n;
};
