// Character classes exactly as transformers' BasicTokenizer defines them (tokenization_bert.py),
// working on code points so that astral characters (CJK extension B, emoji) are classified whole.

const CONTROL = /^\p{C}$/u;
const SPACE_SEPARATOR = /^\p{Zs}$/u;
const PUNCTUATION = /^\p{P}$/u;
const NONSPACING_MARK = /\p{Mn}/gu;

/** True for the code points BERT's BasicTokenizer puts spaces around (CJK unified ideographs). */
export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** BERT's whitespace: space, tab, newline, carriage return, or any space separator (Zs). */
export function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE_SEPARATOR.test(ch);
}

/** BERT's control characters: Unicode category C* except tab, newline and carriage return. */
export function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return CONTROL.test(ch);
}

/** BERT's punctuation: all ASCII non-alphanumeric printable characters plus Unicode category P*. */
export function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
    return true;
  }
  return cp >= 128 && PUNCTUATION.test(ch);
}

/** Removes combining accents the way BERT does: NFD, then drop nonspacing marks (Mn). */
export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(NONSPACING_MARK, '');
}
