import { basicTokenize, cleanText } from './basic-tokenizer';
import { wordOccurrences, type TrainingWords } from './train-common';
import { stripAccents } from './unicode';
import { SpertError } from '@spert/core';

/** Options of {@link buildVocab}. */
export interface BuildVocabOptions extends TrainingWords {
  /** Largest vocabulary size; whole words are cut by frequency (characters always fit or it throws). */
  maxSize?: number;
  /** Whole words seen fewer times are left out (default 1); characters are always kept. */
  minFrequency?: number;
  /** Build an uncased vocabulary: lower-case and strip accents as the uncased tokenizer will. */
  lowercase?: boolean;
  /** Leading special tokens (default [PAD] [UNK] [CLS] [SEP] [MASK], ids 0..4). */
  specialTokens?: readonly string[];
}

/** The special tokens, in the order of the project's vocabularies (ids 0..4). */
export const DEFAULT_SPECIAL_TOKENS: readonly string[] = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

function compareCodePoints(a: string, b: string): number {
  return (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0);
}

/**
 * Builds a WordPiece vocabulary laid out like the project's fixtures: special tokens, every
 * character of the corpus in code point order, the same characters with the '##' prefix, then
 * whole words by decreasing frequency (ties: first occurrence; with `wordCounts`, the order of the
 * entries, so a Map counted in corpus order gives the vocabulary of the word list). Since every character and its
 * continuation form are present, no corpus word of at most 100 characters tokenizes to [UNK].
 */
export function buildVocab(options: BuildVocabOptions): string[] {
  const specials = options.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
  const lowercase = options.lowercase ?? false;
  const minFrequency = options.minFrequency ?? 1;
  if (!Number.isInteger(minFrequency) || minFrequency < 1) {
    throw new SpertError('INVALID_OPTION', `minFrequency must be an integer >= 1, got ${minFrequency}`);
  }
  const counts = new Map<string, number>();
  const chars = new Set<string>();
  for (const [word, n] of wordOccurrences(options)) {
    for (const piece of basicTokenize(word, { lowercase })) for (const ch of piece) chars.add(ch);
    let normalized = cleanText(word).normalize('NFC');
    if (lowercase) normalized = stripAccents(normalized.toLowerCase());
    // A word with inner whitespace can never reach WordPiece whole, so it is not worth an entry.
    if (!normalized || /\s/u.test(normalized)) continue;
    counts.set(normalized, (counts.get(normalized) ?? 0) + n);
  }
  const sortedChars = [...chars].sort(compareCodePoints);
  const vocab = [...specials, ...sortedChars, ...sortedChars.map((c) => `##${c}`)];
  const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
  if (maxSize < vocab.length) {
    throw new SpertError('INVALID_OPTION',
      `maxSize ${maxSize} is too small: the ${specials.length} special tokens and the corpus's ${sortedChars.length} ` +
        `characters (twice, with and without ##) already need ${vocab.length} entries`,
    );
  }
  const seen = new Set(vocab);
  // Array.prototype.sort is stable, so equal counts keep first-occurrence order.
  const byFrequency = [...counts].sort((a, b) => b[1] - a[1]);
  for (const [word, count] of byFrequency) {
    if (vocab.length >= maxSize || count < minFrequency) break;
    if (seen.has(word)) continue;
    seen.add(word);
    vocab.push(word);
  }
  return vocab;
}
