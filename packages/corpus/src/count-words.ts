import { SpertError } from '@spert/core';
/** Options of {@link countCorpusWords}. */
export interface CountCorpusWordsOptions {
  /**
   * Most distinct words kept in memory (default 10,000,000, a few GB at most); beyond it the count
   * stops with an error that says so, rather than running out of memory.
   */
  maxDistinctWords?: number;
}

/**
 * Counts the words of a corpus as it streams by, in first-occurrence order: the `wordCounts` the
 * vocabulary trainers of @spert/tokenizer take (buildVocab, trainByteLevelBpe, trainUnigram), with
 * the same result as the corpus's word list. Memory grows with the distinct words only.
 */
export async function countCorpusWords(
  corpus: AsyncIterable<{ words: readonly string[] }> | Iterable<{ words: readonly string[] }>,
  options: CountCorpusWordsOptions = {},
): Promise<Map<string, number>> {
  const max = options.maxDistinctWords ?? 10_000_000;
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxDistinctWords must be a positive integer, got ${max}`);
  const counts = new Map<string, number>();
  let documents = 0;
  for await (const doc of corpus) {
    for (const w of doc.words) {
      const n = counts.get(w);
      if (n !== undefined) counts.set(w, n + 1);
      else {
        if (counts.size >= max) {
          throw new SpertError('INVALID_OPTION',
            `the corpus has more than ${max} distinct words (maxDistinctWords), reached after ${documents} documents: ` +
              'train the tokenizer on a part of the corpus, or raise maxDistinctWords if memory allows',
          );
        }
        counts.set(w, 1);
      }
    }
    documents++;
  }
  return counts;
}
