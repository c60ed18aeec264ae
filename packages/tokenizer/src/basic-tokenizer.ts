import { isChineseChar, isControl, isPunctuation, isWhitespace, stripAccents } from './unicode';

/** Settings of BERT's basic (pre-WordPiece) tokenization. */
export interface BasicTokenizerOptions {
  /** Lower-case every token (BertTokenizer's do_lower_case). */
  lowercase: boolean;
  /** Strip accents; undefined follows `lowercase`, as BertTokenizer's strip_accents=None does. */
  stripAccents?: boolean;
  /** Put spaces around CJK ideographs so that each becomes its own token (default true). */
  handleChineseChars?: boolean;
}

/** Cleans the text as BertTokenizer does: drops NUL, U+FFFD and control characters, maps whitespace to ' '. */
export function cleanText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
    out += isWhitespace(ch) ? ' ' : ch;
  }
  return out;
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

function spaceChineseChars(text: string): string {
  let out = '';
  for (const ch of text) {
    out += isChineseChar(ch.codePointAt(0) ?? 0) ? ` ${ch} ` : ch;
  }
  return out;
}

function splitOnPunctuation(token: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const ch of token) {
    if (isPunctuation(ch)) {
      if (current) out.push(current);
      out.push(ch);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * BERT's BasicTokenizer (transformers' tokenization_bert.py): clean, space CJK, NFC, split on
 * whitespace, optionally lower-case and strip accents, split off every punctuation character.
 */
export function basicTokenize(text: string, options: BasicTokenizerOptions): string[] {
  // Printable ASCII without spaces (most corpus words) is unchanged by cleaning, CJK spacing, NFC
  // and accent stripping, so only casing and punctuation splitting apply.
  if (PRINTABLE_ASCII.test(text)) return splitOnPunctuation(options.lowercase ? text.toLowerCase() : text);
  let t = cleanText(text);
  if (options.handleChineseChars !== false) t = spaceChineseChars(t);
  t = t.normalize('NFC');
  const strip = options.stripAccents ?? options.lowercase;
  const out: string[] = [];
  for (let token of t.split(/\s+/u)) {
    if (!token) continue;
    if (options.lowercase) token = token.toLowerCase();
    if (strip) token = stripAccents(token);
    for (const piece of splitOnPunctuation(token)) out.push(piece);
  }
  return out;
}
