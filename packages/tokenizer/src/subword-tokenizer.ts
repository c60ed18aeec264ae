import type { EncodedDocument } from '@spert/core';
import { SequenceTooLongError } from './errors';
import { SpertError } from '@spert/core';

/** Ids of the special tokens (mask is undefined when the vocabulary has no mask token). */
export interface SpecialIds {
  /** The family's sentence-start token ([CLS] or <s>): SpERT's context representation sits there. */
  cls: number;
  /** The sentence-end token ([SEP] or </s>). */
  sep: number;
  pad: number;
  unk: number;
  mask: number | undefined;
}

/** What to do with a document longer than maxLength. */
export type TooLongPolicy = 'error' | 'truncate';

/** Options of {@link SubwordTokenizer.encodeWords}. */
export interface EncodeWordsOptions {
  /** Index of the document in its dataset, named in errors. */
  documentIndex?: number;
  /** Where the document came from (a file path), named in errors. */
  source?: string;
  /** Overrides the tokenizer's maxLength for this call. */
  maxLength?: number;
  /** 'error' (default) throws SequenceTooLongError; 'truncate' drops whole trailing words. */
  onTooLong?: TooLongPolicy;
}

/** An encoded document plus how many trailing words the 'truncate' policy dropped. */
export interface EncodeResult extends EncodedDocument {
  /** Trailing words left out (0 unless onTooLong is 'truncate' and the document was too long). */
  droppedWords: number;
}

/** Which implementation a {@link SubwordTokenizer} is, for logs and model metadata. */
export type TokenizerKind = 'bert-wordpiece' | 'tokenizer-json';

/**
 * A subword tokenizer as SpERT uses it, whatever the family (BERT WordPiece, byte-level BPE,
 * SentencePiece Unigram): documents are encoded word by word, framed by the family's special
 * tokens, with each word's [start, end) subword range.
 */
export interface SubwordTokenizer {
  /** Which implementation this is. */
  readonly kind: TokenizerKind;
  /** Encoder positions: the longest encoding (special tokens included) the encoder accepts. */
  readonly maxLength: number;
  /** Number of ids (the embedding table needs at least this many rows). */
  readonly vocabSize: number;
  /** Ids of the special tokens; cls is the sentence-start token at position 0. */
  readonly specialIds: SpecialIds;
  /** Special positions around every encoding (2 for [CLS] ... [SEP] and <s> ... </s>). */
  readonly numSpecialTokens: number;
  /** Ids of one word as it is encoded inside a document, without special tokens; never empty. */
  encodeWord(word: string): readonly number[];
  /** Special tokens around the words' pieces, one [start, end) range per word (exactly as SPERT_REFERENCE §1.1). */
  encodeWords(words: readonly string[], options?: EncodeWordsOptions): EncodeResult;
  /** Token of an id; throws a RangeError for an id outside the vocabulary. */
  idToToken(id: number): string;
  /** Id of a token, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined;
  /** The files that reload this tokenizer with loadTokenizer, by file name (to save into a model directory). */
  files(): Record<string, string>;
}

/** How a tokenizer frames a document; the input of {@link encodeFramedWords}. */
export interface WordFraming {
  /** Ids before the first word (the sentence-start token first). */
  prefix: readonly number[];
  /** Ids after the last word. */
  suffix: readonly number[];
  /** The tokenizer's default maxLength. */
  maxLength: number;
  /** Names of the special tokens, for error messages ("[CLS] and [SEP]"). */
  specialNames: string;
  /** The ids of one word (non-empty). */
  encodeWord(word: string): readonly number[];
}

/**
 * Encodes a document word by word with the tokenizer's framing: prefix, each word's pieces, suffix.
 * Shared by every implementation so that alignment and the too-long policy are the same for all families.
 */
export function encodeFramedWords(framing: WordFraming, words: readonly string[], options: EncodeWordsOptions = {}): EncodeResult {
  const where = (options.source ? `${options.source}: ` : '') + (options.documentIndex === undefined ? 'document' : `document ${options.documentIndex}`);
  if (!Array.isArray(words)) throw new SpertError('INVALID_INPUT', `${where}: words must be an array of strings`, { documentIndex: options.documentIndex, file: options.source });
  const frame = framing.prefix.length + framing.suffix.length;
  const maxLength = options.maxLength ?? framing.maxLength;
  if (!Number.isInteger(maxLength) || maxLength < frame) {
    throw new SpertError('INVALID_OPTION', `maxLength must be an integer >= ${frame} (room for ${framing.specialNames}), got ${maxLength}`, { field: 'maxLength' });
  }
  const policy = options.onTooLong ?? 'error';
  if (policy !== 'error' && policy !== 'truncate') {
    throw new SpertError('INVALID_OPTION', `onTooLong must be 'error' or 'truncate', got ${JSON.stringify(policy)}`, { field: 'onTooLong' });
  }
  const perWord: Array<readonly number[]> = words.map((w, i) => {
    if (typeof w !== 'string') throw new SpertError('INVALID_INPUT', `${where}, word ${i}: expected a string, got ${typeof w}`, { documentIndex: options.documentIndex, file: options.source, field: `words[${i}]` });
    return framing.encodeWord(w);
  });
  let total = frame;
  for (const p of perWord) total += p.length;
  let kept = perWord.length;
  if (total > maxLength) {
    if (policy === 'error') {
      throw new SequenceTooLongError({
        documentIndex: options.documentIndex,
        source: options.source,
        wordCount: words.length,
        wordpieceLength: total,
        maxLength,
        specialNames: framing.specialNames,
      });
    }
    let length = frame;
    kept = 0;
    while (kept < perWord.length && length + perWord[kept].length <= maxLength) length += perWord[kept++].length;
  }
  const inputIds: number[] = [...framing.prefix];
  const wordRanges: Array<[number, number]> = [];
  for (let i = 0; i < kept; i++) {
    const start = inputIds.length;
    for (const id of perWord[i]) inputIds.push(id);
    wordRanges.push([start, inputIds.length]);
  }
  inputIds.push(...framing.suffix);
  return { inputIds, wordRanges, droppedWords: perWord.length - kept };
}

const CACHE_LIMIT = 1 << 18;

/** A per-word id cache (documents repeat words); cleared when full so memory stays bounded. */
export class WordIdCache {
  private readonly map = new Map<string, readonly number[]>();

  /** The cached ids of a word, computing and freezing them on a miss. */
  get(word: string, compute: (word: string) => number[]): readonly number[] {
    const hit = this.map.get(word);
    if (hit) return hit;
    const ids = Object.freeze(compute(word));
    if (this.map.size >= CACHE_LIMIT) this.map.clear();
    this.map.set(word, ids);
    return ids;
  }
}

/**
 * What every {@link SubwordTokenizer} implementation shares around its own subword model: one
 * word's ids (cached, a single unknown token for a word that yields no piece) and a document's
 * encoding through {@link encodeFramedWords}.
 */
export abstract class FramedWordEncoder {
  private readonly cache = new WordIdCache();

  /** Ids of the special tokens; `unk` stands for a word without pieces. */
  abstract readonly specialIds: SpecialIds;

  /** Token of an id; throws a RangeError for an id outside the vocabulary. */
  abstract idToToken(id: number): string;

  /** Ids of one word's pieces as the subword model gives them (possibly none). */
  protected abstract pieceIds(word: string): number[];

  /** How documents are framed: the special ids around the words, the default maxLength, their names. */
  protected abstract frame(): Omit<WordFraming, 'encodeWord'>;

  /** Ids of one word as it is encoded inside a document: its pieces, or a single unknown token when it yields none. Cached. */
  encodeWord(word: string): readonly number[] {
    return this.cache.get(word, (w) => {
      const ids = this.pieceIds(w);
      return ids.length === 0 ? [this.specialIds.unk] : ids;
    });
  }

  /**
   * Encodes a document word by word (SPERT_REFERENCE §1.1): the sentence-start tokens, each word's
   * pieces, the sentence-end tokens, with each word's [start, end) range. Too long documents throw
   * SequenceTooLongError unless onTooLong is 'truncate', which keeps whole leading words and
   * reports how many were dropped.
   */
  encodeWords(words: readonly string[], options: EncodeWordsOptions = {}): EncodeResult {
    return encodeFramedWords({ ...this.frame(), encodeWord: (w) => this.encodeWord(w) }, words, options);
  }

  /** Tokens of a list of ids. */
  idsToTokens(ids: readonly number[]): string[] {
    return ids.map((id) => this.idToToken(id));
  }
}
