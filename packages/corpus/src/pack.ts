import type { SubwordTokenizer } from '@spert/tokenizer';

/** What packing needs of a tokenizer: one word's pieces and the family's special ids. */
export type PackingTokenizer = Pick<SubwordTokenizer, 'encodeWord' | 'specialIds'> & { readonly maxLength?: number };

/** One packed sequence: `[cls] pieces ... [sep]`, at most maxLength ids. */
export interface PackedSequence {
  /** Token ids (no padding). */
  ids: Int32Array;
  /**
   * Per position, the word it belongs to, numbered from 0 within the sequence (all pieces of a word
   * share it: whole-word masking groups by it); -1 for the special tokens.
   */
  wordIds: Int32Array;
}

/** Counts of a packing run. */
export interface PackStats {
  documents: number;
  sequences: number;
  /** Ids in all sequences, special tokens included. */
  tokens: number;
  /** Word pieces (tokens without the special ones). */
  pieces: number;
  words: number;
  /** Words longer than maxLength - 2 pieces, which had to be split across sequences. */
  splitWords: number;
}

/**
 * Packs documents into sequences as RoBERTa's FULL-SENTENCES: `[cls] doc1 [sep] doc2 [sep] ...`
 * with the tokenizer's own special tokens (BERT and DeBERTa `[CLS]`/`[SEP]`, RoBERTa `<s>`/`</s>`).
 * A sequence is closed when the next word does not fit, so a document longer than a sequence goes
 * on in the next one; every sequence starts with cls and ends with sep (a `sep` closes a sequence in
 * the middle of a document too). Words are never split across sequences, except a word that alone
 * is longer than maxLength - 2 pieces: it fills the rest of the current sequence and goes on in the
 * next ones (each part a word of its own for masking). Every piece of every document lands in
 * exactly one sequence, in order.
 */
export class SequencePacker {
  /** Counts so far. */
  readonly stats: PackStats = { documents: 0, sequences: 0, tokens: 0, pieces: 0, words: 0, splitWords: 0 };
  private readonly ids: Int32Array;
  private readonly wordIds: Int32Array;
  private length = 0;
  private nextWord = 0;
  private readonly out: PackedSequence[] = [];
  private readonly cls: number;
  private readonly sep: number;

  /** A packer for sequences of at most `maxLength` ids (default 128, at least 3, at most the tokenizer's maxLength). */
  constructor(
    private readonly tokenizer: PackingTokenizer,
    readonly maxLength = 128,
  ) {
    if (!Number.isInteger(maxLength) || maxLength < 3) throw new RangeError(`maxLength must be an integer >= 3 (cls, one piece, sep), got ${maxLength}`);
    if (tokenizer.maxLength !== undefined && maxLength > tokenizer.maxLength) {
      throw new RangeError(`maxLength ${maxLength} is more than the tokenizer's maxLength ${tokenizer.maxLength} (the encoder's positions)`);
    }
    this.cls = tokenizer.specialIds.cls;
    this.sep = tokenizer.specialIds.sep;
    this.ids = new Int32Array(maxLength);
    this.wordIds = new Int32Array(maxLength);
    this.open();
  }

  /** Adds one document's words; returns the sequences it completed (possibly none). */
  add(words: readonly string[]): PackedSequence[] {
    if (words.length === 0) return [];
    this.stats.documents++;
    const room = this.maxLength - 1; // the closing sep always fits
    for (const word of words) {
      const pieces = this.tokenizer.encodeWord(word);
      this.stats.words++;
      this.stats.pieces += pieces.length;
      if (pieces.length > this.maxLength - 2) {
        this.stats.splitWords++;
        let at = 0;
        while (at < pieces.length) {
          if (this.length >= room) this.close();
          const take = Math.min(room - this.length, pieces.length - at);
          this.push(pieces, at, take);
          at += take;
        }
        continue;
      }
      if (this.length + pieces.length > room) this.close();
      this.push(pieces, 0, pieces.length);
    }
    // The document's sep; a full sequence is given out now rather than with the next document.
    this.ids[this.length] = this.sep;
    this.wordIds[this.length++] = -1;
    if (this.length >= room) this.emit();
    return this.take();
  }

  /** Gives out the last, partly filled sequence (if it holds any piece). */
  finish(): PackedSequence[] {
    if (this.length > 1) this.close();
    return this.take();
  }

  private push(pieces: readonly number[], from: number, count: number): void {
    const word = this.nextWord++;
    for (let i = 0; i < count; i++) {
      this.ids[this.length] = pieces[from + i];
      this.wordIds[this.length++] = word;
    }
  }

  private open(): void {
    this.ids[0] = this.cls;
    this.wordIds[0] = -1;
    this.length = 1;
    this.nextWord = 0;
  }

  // Ends the current sequence with a sep unless the document's own sep already ends it.
  private close(): void {
    if (!(this.length > 1 && this.wordIds[this.length - 1] === -1 && this.ids[this.length - 1] === this.sep)) {
      this.ids[this.length] = this.sep;
      this.wordIds[this.length++] = -1;
    }
    this.emit();
  }

  private emit(): void {
    this.out.push({ ids: this.ids.slice(0, this.length), wordIds: this.wordIds.slice(0, this.length) });
    this.stats.sequences++;
    this.stats.tokens += this.length;
    this.open();
  }

  private take(): PackedSequence[] {
    return this.out.splice(0, this.out.length);
  }
}

/** Packs a stream of documents (see {@link SequencePacker}); `stats` is filled as it goes. */
export async function* packDocuments(params: {
  documents: AsyncIterable<{ words: readonly string[] }> | Iterable<{ words: readonly string[] }>;
  tokenizer: PackingTokenizer;
  maxLength?: number;
  stats?: PackStats;
}): AsyncGenerator<PackedSequence> {
  const packer = new SequencePacker(params.tokenizer, params.maxLength);
  const sync = () => params.stats && Object.assign(params.stats, packer.stats);
  for await (const doc of params.documents) {
    const done = packer.add(doc.words);
    sync();
    yield* done;
  }
  const last = packer.finish();
  sync();
  yield* last;
}
