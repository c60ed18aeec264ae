/** A word of raw text with its character range `[start, end)` (UTF-16 code units, as JS strings index). */
export interface TextWord {
  text: string;
  start: number;
  end: number;
}

// BERT's basic tokenizer treats every non-alphanumeric ASCII character as punctuation, plus
// Unicode punctuation; splitting the same way keeps words aligned with what the model saw in training.
const PUNCT = /^(?:[!-/:-@[-`{-~]|\p{P})$/u;
// Whitespace and invisible format/control characters (zero-width space/joiners, BOM, bidi marks)
// separate words and never belong to one, so highlighting offsets stay on visible characters.
const SEPARATOR = /^(?:\s|\p{Cc}|\p{Cf})$/u;
// CJK ideographs are words on their own in BERT's tokenizer.
const CJK = /^\p{Script=Han}$/u;

/** Splits raw text into words (whitespace, punctuation and CJK boundaries) with character offsets. */
export function splitWords(text: string): TextWord[] {
  const words: TextWord[] = [];
  let start = -1;
  let i = 0;
  const close = (end: number) => {
    if (start >= 0) words.push({ text: text.slice(start, end), start, end });
    start = -1;
  };
  // for..of walks code points and yields lone surrogates as single units, so odd input cannot split a pair.
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
