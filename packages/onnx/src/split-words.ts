// LOCAL HELPER until @spert/tokenizer exports splitWords: raw text -> words with character
// offsets, split like BERT's basic tokenizer (whitespace, punctuation, CJK ideographs).
import type { TextWord } from './runtime-types';

const PUNCT = /^(?:[!-/:-@[-`{-~]|\p{P})$/u;
const SEPARATOR = /^(?:\s|\p{Cc}|\p{Cf})$/u;
const CJK = /^\p{Script=Han}$/u;

/** Splits raw text into words with their [start, end) character offsets. */
export function splitWordsLocal(text: string): TextWord[] {
  const words: TextWord[] = [];
  let start = -1;
  let i = 0;
  const close = (end: number) => {
    if (start >= 0) words.push({ text: text.slice(start, end), start, end });
    start = -1;
  };
  for (const ch of text) {
    if (SEPARATOR.test(ch)) {
      close(i);
    } else if (PUNCT.test(ch) || CJK.test(ch)) {
      close(i);
      words.push({ text: ch, start: i, end: i + ch.length });
    } else if (start < 0) {
      start = i;
    }
    i += ch.length;
  }
  close(i);
  return words;
}
