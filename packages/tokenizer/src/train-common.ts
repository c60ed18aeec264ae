// What the vocabulary trainers share: counting training words and the result's shape.
import { TokenizerConfigError } from './errors';

type Json = Record<string, unknown>;

/** A trained tokenizer: enough to build an HfTokenizer directly (`new HfTokenizer({ ...trained, maxLength })`) or to save. */
export interface TrainedTokenizer {
  /** The Hugging Face tokenizer.json object. */
  tokenizerJson: Json;
  /** The tokenizer_config.json object (special token names; the BPE layout has no unk/pad in tokenizer.json). */
  tokenizerConfig: Json;
}

/** Pre-counted training words: (word, occurrences) pairs, e.g. a Map; a word may repeat (its counts add up). */
export type WordCounts = Iterable<readonly [string, number]>;

/** The training words of a trainer: either every occurrence (`words`) or pre-counted (`wordCounts`), exactly one of them. */
export interface TrainingWords {
  /** The training words (CoNLL04 tokens, say), repeated as often as they occur. */
  words?: Iterable<string>;
  /**
   * The same words counted (a corpus too large to hold as a word list: see @spert/corpus
   * countCorpusWords); gives the same result as `words` holding each word `count` times.
   */
  wordCounts?: WordCounts;
}

/** Options every trainer takes. */
export interface TrainVocabularyOptions extends TrainingWords {
  /** Total ids of the tokenizer, special tokens included (an upper bound: a small corpus may give fewer). */
  vocabSize: number;
  /** Lower-case words before training, and add a Lowercase normalizer so that encoding does the same (default false). */
  lowercase?: boolean;
  /** model_max_length written into tokenizer_config.json, when given. */
  maxLength?: number;
}

/**
 * The training words as (word, count) pairs in input order (a word occurrence is a pair with count
 * 1), whichever of `words` / `wordCounts` was given; checks that exactly one was and that every
 * count is a positive integer.
 */
export function* wordOccurrences(source: TrainingWords): Generator<[string, number]> {
  const hasWords = source.words !== undefined;
  const hasCounts = source.wordCounts !== undefined;
  if (hasWords === hasCounts) {
    throw new TokenizerConfigError(`give the training words as exactly one of words or wordCounts (got ${hasWords ? 'both' : 'neither'})`, { code: 'INVALID_OPTION' });
  }
  let i = 0;
  if (source.words !== undefined) {
    for (const raw of source.words) {
      if (typeof raw !== 'string') throw new TokenizerConfigError(`training word ${i} is ${JSON.stringify(raw)}, not a string`, { code: 'INVALID_INPUT' });
      yield [raw, 1];
      i++;
    }
    return;
  }
  for (const entry of source.wordCounts ?? []) {
    const [word, count] = Array.isArray(entry) ? entry : [undefined, undefined];
    if (typeof word !== 'string') throw new TokenizerConfigError(`wordCounts entry ${i}: the word is ${JSON.stringify(word)}, not a string`, { code: 'INVALID_INPUT' });
    if (!Number.isSafeInteger(count) || (count as number) < 1) {
      throw new TokenizerConfigError(`wordCounts entry ${i} (${JSON.stringify(word)}): the count must be a positive integer, got ${JSON.stringify(count)}`, { code: 'INVALID_INPUT' });
    }
    yield [word, count as number];
    i++;
  }
}

/** Distinct non-empty words with their counts, sorted by code-unit order so that input order does not matter. */
export function countWords(source: TrainingWords, lowercase: boolean): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const [raw, n] of wordOccurrences(source)) {
    const w = lowercase ? raw.toLowerCase() : raw;
    if (w !== '') counts.set(w, (counts.get(w) ?? 0) + n);
  }
  if (counts.size === 0) throw new TokenizerConfigError('no training words: the vocabulary trainers need at least one non-empty word', { code: 'INVALID_INPUT' });
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Checks vocabSize is an integer of at least `min` (what the layout's fixed part needs). */
export function checkVocabSize(vocabSize: number, min: number, what: string): void {
  if (!Number.isInteger(vocabSize) || vocabSize < min) {
    throw new TokenizerConfigError(`vocabSize must be an integer >= ${min} (${what}), got ${vocabSize}`, { code: 'INVALID_OPTION' });
  }
}

/** An added_tokens entry as the families' tokenizer.json files write it. */
export function addedToken(id: number, content: string, lstrip = false): Json {
  return { id, content, single_word: false, lstrip, rstrip: false, normalized: false, special: true };
}

/** Code-unit order, the stated tie-break of both trainers. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Options of {@link byteLevelBpeJson}. */
export interface ByteLevelBpeJsonOptions {
  vocab: Record<string, number>;
  merges: string[];
  addedTokens: Json[];
  /** The <s>/</s> pair RobertaProcessing frames a sequence with (none: no post-processor). */
  cls?: [string, number];
  sep?: [string, number];
  addPrefixSpace: boolean;
  lowercase?: boolean;
}

/** A byte-level BPE tokenizer.json in roberta-base's layout (what `tokenizers` writes for it). */
export function byteLevelBpeJson(o: ByteLevelBpeJsonOptions): Json {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: o.addedTokens,
    normalizer: o.lowercase ? { type: 'Lowercase' } : null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: o.addPrefixSpace, trim_offsets: true, use_regex: true },
    post_processor: o.cls && o.sep ? { type: 'RobertaProcessing', sep: o.sep, cls: o.cls, trim_offsets: true, add_prefix_space: o.addPrefixSpace } : null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: o.vocab,
      merges: o.merges,
    },
  };
}
