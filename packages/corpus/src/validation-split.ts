import { deriveSeed } from '@spert/core';

/** Which part of a seeded train/validation split to keep. */
export interface CorpusSplit {
  /** Share of documents held out for validation, in [0, 1). */
  validationFraction: number;
  /** Seed of the split (a different seed holds out different documents). */
  seed: number;
  /** Keep the training documents or the held-out ones. */
  part: 'train' | 'validation';
}

/** Checks a validation fraction: a number in [0, 1). */
export function checkValidationFraction(fraction: number): void {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction < 1)) {
    throw new RangeError(`validationFraction must be a number in [0, 1), got ${JSON.stringify(fraction)}`);
  }
}

/**
 * Whether a document belongs to the held-out validation part: a hash of (seed, the document's
 * words) below `fraction`. The split goes by content, not position: it is deterministic, does not
 * depend on file names, order or on which other documents exist, and copies of a document (frequent
 * in scraped and dictionary text) all land on the same side, so validation never sees a training
 * document again. Over many distinct documents the held-out share is `fraction` within sampling noise.
 */
export function isValidationDocument(document: { words: readonly string[] }, options: { validationFraction: number; seed: number }): boolean {
  checkValidationFraction(options.validationFraction);
  if (options.validationFraction === 0) return false;
  return deriveSeed(options.seed, document.words.join('\u0000')) / 4294967296 < options.validationFraction;
}

/** Checks a split's options (fraction in [0, 1), integer seed, a known part), naming the bad one. */
export function checkSplit(split: CorpusSplit): void {
  checkValidationFraction(split.validationFraction);
  if (!Number.isSafeInteger(split.seed)) throw new RangeError(`split.seed must be an integer, got ${JSON.stringify(split.seed)}`);
  if (split.part !== 'train' && split.part !== 'validation') throw new RangeError(`split.part must be 'train' or 'validation', got ${JSON.stringify(split.part)}`);
}

/** Whether a document is in the part of the split that `split.part` keeps. */
export function inSplit(document: { words: readonly string[] }, split: CorpusSplit): boolean {
  return isValidationDocument(document, split) === (split.part === 'validation');
}
