/**
 * Text clean-up shared by the corpus sources. The dictionaries are typed text wrapped at about
 * 70 columns, never typeset: a hyphen at the end of a line is a compound's own hyphen
 * ("backward-" / "compatible"), not a word broken by hyphenation, so joining keeps it and drops
 * only the line break.
 */

/** Joins wrapped lines into one line: whitespace collapsed, a line-final hyphen kept without a space after it. */
export function joinLines(text: string): string {
  return squeeze(text.replace(/(\p{L})-[ \t]*\r?\n[ \t]*(?=\p{Ll})/gu, '$1-'));
}

/** Collapses every run of whitespace (newlines included) to one space and trims. */
export function squeeze(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/** Splits text into paragraphs at blank lines; each keeps its lines (and their indentation). */
export function paragraphs(text: string): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (current.length) out.push(current);
      current = [];
    } else current.push(line);
  }
  if (current.length) out.push(current);
  return out;
}

/** Removes every [...] group, innermost first (GCIDE nests diacritic codes such as [a^] inside etymologies). */
export function dropBrackets(text: string): string {
  let prev: string;
  let s = text;
  do {
    prev = s;
    s = s.replace(/\[[^[\]]*\]/g, '');
  } while (s !== prev);
  return s;
}

/** Cross-reference braces of the dictd dictionaries: "{Canis}" -> "Canis". */
export function dropBraces(text: string): string {
  return text.replace(/[{}]/g, '');
}

/** Tidies what removals leave: no space before , ; : . ? !, no empty () and no doubled punctuation. */
export function tidyPunctuation(text: string): string {
  return squeeze(
    text
      .replace(/\(\s*[,;]?\s*\)/g, ' ')
      .replace(/\s+([,;:.?!)])/g, '$1')
      .replace(/\(\s+/g, '(')
      .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
      .replace(/[,;:]\s*([.?!])/g, '$1')
      .replace(/^[\s,;:.]+/, ''),
  );
}

/** Ends a sentence-like fragment with a period unless it already ends with . ? ! or a closing quote after one. */
export function endSentence(text: string): string {
  const s = text.trim();
  if (s === '' || /[.?!]["'”’)]*$/u.test(s)) return s;
  return `${s}.`;
}
