/**
 * How a text becomes SpERT documents: whole, one per sentence, or one per line. SpERT models are
 * trained on sentences (CoNLL04, SciERC) and a long text is windowed at prediction anyway.
 */
export type SentenceMode = 'document' | 'sentences' | 'lines';

// A word made only of these ends a sentence. The word splitter already keeps abbreviation
// periods on their word ("Dr.", "U.S.", "Calif."), so a bare "." here is a real full stop.
const TERMINAL = /^[.!?…。！？]+$/u;
// Closing quotes and brackets after the full stop stay with the sentence they close.
const CLOSING = /^(?:''|[)\]}»”’"'」』])$/u;

/**
 * Splits a text's words into sentences: returns [start, end) word-index ranges that tile the
 * words. 'sentences' ends a sentence after a terminal punctuation word (and the closing quotes
 * or brackets right after it) and at blank lines; 'lines' at every line break.
 */
export function sentenceRanges(text: string, words: ReadonlyArray<readonly [number, number]>, mode: SentenceMode): Array<[number, number]> {
  if (words.length === 0) return [];
  if (mode === 'document') return [[0, words.length]];
  const out: Array<[number, number]> = [];
  let start = 0;
  for (let i = 1; i < words.length; i++) {
    const gap = text.slice(words[i - 1][1], words[i][0]);
    let cut = mode === 'lines' ? /[\n\r\u2028\u2029]/u.test(gap) : /\n[^\S\n]*\n/u.test(gap.replace(/\r\n?/g, '\n'));
    if (!cut && mode === 'sentences') {
      // walk back over closing quotes/brackets to the word that would end the sentence
      let j = i - 1;
      while (j > start && CLOSING.test(text.slice(words[j][0], words[j][1]))) j--;
      const next = text.slice(words[i][0], words[i][1]);
      cut = TERMINAL.test(text.slice(words[j][0], words[j][1])) && !CLOSING.test(next);
    }
    if (cut) {
      out.push([start, i]);
      start = i;
    }
  }
  out.push([start, words.length]);
  return out;
}
