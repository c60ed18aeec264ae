import type { EncodedDocument } from '@spert/core';

/**
 * What the pipeline needs of a subword tokenizer (any family: WordPiece, BPE, Unigram): the
 * encoder's length, one word's subwords, and SpERT's word-by-word document encoding.
 */
export interface PipelineTokenizer {
  /** Encoder positions, special tokens included. */
  readonly maxLength: number;
  /** Subword ids of one word as it is encoded inside a document (no special tokens). */
  encodeWord(word: string): readonly number[];
  /** Special tokens around each word sequence, one [start, end) subword range per word. */
  encodeWords(
    words: readonly string[],
    options?: { documentIndex?: number; source?: string; onTooLong?: 'error' | 'truncate' },
  ): EncodedDocument;
}
