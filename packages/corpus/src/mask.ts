import { createRng, deriveSeed, type Rng, SpertError } from '@spert/core';
import { sampleWithoutReplacement } from '@spert/span-sampler';
import type { SpecialIds } from '@spert/tokenizer';

/** The label of a position that is not predicted (Hugging Face's ignore index). */
export const IGNORE_LABEL = -100;

/** Options of {@link maskSequence}. */
export interface MaskSequenceOptions {
  /** Token ids of the sequence (may be longer than `length`: the rest is padding). */
  ids: ArrayLike<number>;
  /** Word of each position, -1 for special tokens (as packing writes them). */
  wordIds: ArrayLike<number>;
  /** Real tokens (default ids.length); positions from here on are padding and never masked. */
  length?: number;
  /** The tokenizer's special ids: `mask` is the replacement, and no special id is drawn as a random token. */
  specialIds: SpecialIds;
  /** Ids of the vocabulary: random replacements are drawn from [0, vocabSize). */
  vocabSize: number;
  /** Share of the real non-special tokens to predict (default 0.15). */
  maskProbability?: number;
  /** Choose whole words (all pieces of a word together), as BERT's whole-word masking (default true). */
  wholeWord?: boolean;
  /** Share of chosen tokens replaced by the mask token (default 0.8). */
  maskReplaceProbability?: number;
  /** Share of chosen tokens replaced by a random token (default 0.1); the rest stay unchanged. */
  randomReplaceProbability?: number;
  rng: Rng;
}

/** A masked sequence: model input and labels, each `length` long. */
export interface MaskedSequence {
  inputIds: Int32Array;
  /** The original id at each chosen position, IGNORE_LABEL (-100) elsewhere. */
  labels: Int32Array;
}

function checkProbability(p: number, name: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a number in [0, 1], got ${JSON.stringify(p)}`);
}

/**
 * Masks one sequence for masked language modelling. Of the real tokens that are not special
 * (wordIds >= 0, position < length), max(1, round(maskProbability x count)) are chosen
 * (Math.round; none when there is no such token):
 * - whole words (default): the words are shuffled with `rng` and taken whole while the total stays
 *   within the target, skipping a word that would pass it (transformers' DataCollatorForWholeWordMask);
 *   when every word is longer than the target, the first shuffled word is taken alone, so that
 *   every sequence with a real token has at least one label;
 * - otherwise exactly that many tokens, uniformly.
 * Each chosen token then, independently, becomes the mask token (80%), a random token (10%) or
 * stays (10%); its label is the original id. A random token is drawn uniformly from the
 * vocabulary without the special ids (cls, sep, pad, unk, mask), so the model never sees a special
 * token where a word was. Special tokens and padding are never chosen and keep IGNORE_LABEL.
 */
export function maskSequence(options: MaskSequenceOptions): MaskedSequence {
  const { ids, wordIds, specialIds, vocabSize, rng } = options;
  const length = options.length ?? ids.length;
  const p = options.maskProbability ?? 0.15;
  const pMask = options.maskReplaceProbability ?? 0.8;
  const pRandom = options.randomReplaceProbability ?? 0.1;
  checkProbability(p, 'maskProbability');
  checkProbability(pMask, 'maskReplaceProbability');
  checkProbability(pRandom, 'randomReplaceProbability');
  if (pMask + pRandom > 1) throw new RangeError(`maskReplaceProbability + randomReplaceProbability must be at most 1, got ${pMask} + ${pRandom}`);
  if (!Number.isInteger(length) || length < 0 || length > ids.length || length > wordIds.length) {
    throw new RangeError(`length must be an integer in [0, ${Math.min(ids.length, wordIds.length)}] (ids and wordIds), got ${length}`);
  }
  const mask = specialIds.mask;
  if (mask === undefined) throw new SpertError('INVALID_TOKENIZER', 'the tokenizer has no mask token: masked language modelling needs one');
  const specials = new Set([specialIds.cls, specialIds.sep, specialIds.pad, specialIds.unk, mask]);
  if (!Number.isInteger(vocabSize) || vocabSize <= specials.size) throw new RangeError(`vocabSize must be an integer above the ${specials.size} special ids, got ${vocabSize}`);

  const inputIds = new Int32Array(length);
  const labels = new Int32Array(length).fill(IGNORE_LABEL);
  for (let t = 0; t < length; t++) inputIds[t] = ids[t];

  // Groups of positions: one per word (whole-word) or one per token.
  const wholeWord = options.wholeWord ?? true;
  const groups: number[][] = [];
  let real = 0;
  for (let t = 0; t < length; t++) {
    const w = wordIds[t];
    if (w < 0) continue;
    real++;
    if (wholeWord && t > 0 && wordIds[t - 1] === w && groups.length > 0) groups[groups.length - 1].push(t);
    else groups.push([t]);
  }
  if (real === 0) return { inputIds, labels };
  const target = Math.max(1, Math.round(p * real));
  const chosen: number[] = [];
  const shuffled = sampleWithoutReplacement(groups, groups.length, rng);
  for (const group of shuffled) {
    if (chosen.length >= target) break;
    if (chosen.length + group.length > target) continue;
    chosen.push(...group);
  }
  if (chosen.length === 0) chosen.push(...shuffled[0]);
  chosen.sort((a, b) => a - b);
  for (const t of chosen) {
    labels[t] = ids[t];
    const u = rng();
    if (u < pMask) inputIds[t] = mask;
    else if (u < pMask + pRandom) {
      let r: number;
      do r = Math.floor(rng() * vocabSize);
      while (specials.has(r));
      inputIds[t] = r;
    }
  }
  return { inputIds, labels };
}

/** Options of {@link maskForEpoch}: those of maskSequence with (seed, epoch, index) instead of a generator. */
export interface MaskForEpochOptions extends Omit<MaskSequenceOptions, 'rng'> {
  seed: number;
  epoch: number;
  /** The sequence's index in its store. */
  index: number;
}

/**
 * Dynamic masking: masks sequence `index` for `epoch` with a generator derived from (seed, epoch,
 * index) alone (@spert/core deriveSeed + createRng), so a sequence gets new masks every epoch, and
 * the same masks whatever the batch order, batch size or a resume.
 */
export function maskForEpoch(options: MaskForEpochOptions): MaskedSequence {
  const { seed, epoch, index, ...rest } = options;
  return maskSequence({ ...rest, rng: createRng(deriveSeed(seed, epoch, index)) });
}
