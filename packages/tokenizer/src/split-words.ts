/** A word of a raw text with its [start, end) offsets in UTF-16 code units of the original string. */
export interface WordSpan {
  text: string;
  start: number;
  end: number;
}

/** Options of {@link splitWords}. */
export interface SplitWordsOptions {
  /** Locale for Intl.Segmenter (default 'en'); it matters for dictionary-based scripts (CJK, Thai). */
  locale?: string;
  /** Words that keep a following '.' (case-sensitive); defaults to {@link DEFAULT_ABBREVIATIONS}. */
  abbreviations?: Iterable<string>;
  /** Split English clitics Penn-Treebank style: "don't" -> "do" "n't", "Kennedy's" -> "Kennedy" "'s" (default true). */
  splitContractions?: boolean;
}

/** Titles, months, days, US state and company abbreviations that keep their period (CoNLL04 has most of them). */
export const DEFAULT_ABBREVIATIONS: readonly string[] = [
  'Mr', 'Mrs', 'Ms', 'Dr', 'Prof', 'Sen', 'Rep', 'Gov', 'Gen', 'Lt', 'Col', 'Capt', 'Sgt', 'Maj', 'Adm', 'Cmdr',
  'Rev', 'Hon', 'Pres', 'Jr', 'Sr', 'St', 'Mt', 'Ft', 'Inc', 'Corp', 'Co', 'Ltd', 'Bros', 'Dept', 'Univ', 'Assn',
  'No', 'Nos', 'vs', 'etc', 'al', 'approx', 'Ave', 'Blvd', 'Rd',
  'Jan', 'Feb', 'Mar', 'Apr', 'Jun', 'Jul', 'Aug', 'Sep', 'Sept', 'Oct', 'Nov', 'Dec',
  'Mon', 'Tue', 'Tues', 'Wed', 'Thu', 'Thur', 'Thurs', 'Fri', 'Sat', 'Sun',
  'Ala', 'Ariz', 'Ark', 'Calif', 'Colo', 'Conn', 'Del', 'Fla', 'Ga', 'Ill', 'Ind', 'Kan', 'Kans', 'Ky', 'La', 'Md',
  'Mass', 'Mich', 'Minn', 'Miss', 'Mo', 'Mont', 'Neb', 'Nev', 'Okla', 'Ore', 'Pa', 'Penn', 'Tenn', 'Tex', 'Va',
  'Vt', 'Wash', 'Wis', 'Wyo',
];

type Kind = 'word' | 'other' | 'atom';
interface Piece {
  start: number;
  end: number;
  kind: Kind;
}

const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Mn}\p{Me}]*$/u;
const REPEATABLE = new Set(['-', '.', '`', "'", '*', '=', '_', '~', '!', '?']);
// Dotted letters ("U.S", "a.m", "M.I.T") and degrees ("Ph.D", "Ed.D") keep a following '.'.
const DOTTED_LETTERS = /^(?:\p{L}{1,2}\.)+\p{L}$/u;
const INITIAL = /^\p{Lu}$/u;
const NEGATION = /^(.+?)(n['’]t)$/iu;
const CLITIC = /^(.+)(['’](?:s|re|ve|ll|m|d))$/iu;
const CLITIC_TAIL = /^(?:s|re|ve|ll|m|d)$/iu;
const APOSTROPHE = /^['’]$/u;
const EDGE_FORMAT = /^\p{Cf}+|\p{Cf}+$/gu;
/** ZWNJ, ZWJ and the narrow no-break space: inside a word they belong to it, at its end they do not. */
const INVISIBLE_EDGE = new Set([0x200c, 0x200d, 0x202f]);

// ---- Character classes: UAX #29's word-break classes, as Node's ICU applies them ----
//
// Engines disagree on word boundaries (chromium's ICU data does not join letters across '.' or ':',
// so "U.S.", "e.g." and "EU:s" fall apart there), so the words come from these rules, not from
// Intl.Segmenter, except inside runs of scripts written without spaces (Dictionary below).

const enum C {
  /** ALetter: letters of scripts written with spaces (Latin, Cyrillic, Greek, Arabic, Devanagari, ...). */
  Letter,
  /** Hebrew_Letter: also keeps a following apostrophe and joins across '"' (WB7a-c). */
  Hebrew,
  /** Numeric: decimal digits. */
  Number,
  /** ExtendNumLet: '_' and the other connector punctuation, U+202F. */
  Connector,
  /** Joins letters: ':' '·' ... */
  MidLetter,
  /** Joins digits: ',' ';' ... */
  MidNum,
  /** Joins letters and joins digits: '.', the apostrophes ... */
  MidNumLet,
  /** '"': joins Hebrew letters. */
  DoubleQuote,
  /** Marks, ZWNJ, emoji modifiers, variation selectors: part of the character before. */
  Extend,
  /** Format characters (soft hyphen, BOM, word joiner): inside a word, part of it. */
  Format,
  /** U+200D. */
  Zwj,
  /** Hangul: a run of Hangul is one word, apart from other letters and digits (as ICU has it). */
  Hangul,
  /** Letters of Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar: words come from Intl.Segmenter's dictionaries. */
  Dictionary,
  RegionalIndicator,
  /** CR, LF, other controls and the line/paragraph separators. */
  Control,
  Other,
}

const RE_EXTEND = /[\p{Grapheme_Extend}\p{Mc}\p{Emoji_Modifier}]/u;
const RE_DICTIONARY = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;
// ALetter is Alphabetic plus a few modifier letters and marks (WordBreakProperty.txt).
const RE_LETTER = /[\p{Alphabetic}\u02c2-\u02c5\u02d2-\u02d7\u02de\u02df\u02e5-\u02eb\u02ed\u02ef-\u02ff\u055a-\u055c\u055e\u058a\u05f3\ua708-\ua716\ua720\ua721\ua789\ua78a\uab5b]/u;
const RE_CC = /\p{Cc}/u;
const RE_CF = /\p{Cf}/u;
const RE_PC = /\p{Pc}/u;
const RE_ND = /\p{Nd}/u;
const RE_L = /\p{L}/u;
const RE_HEBREW = /\p{sc=Hebrew}/u;
const RE_HANGUL = /\p{sc=Hangul}/u;
const RE_IDEOGRAPHIC = /\p{Ideographic}/u;
const MID_LETTER = new Set([':', '\u00b7', '\u0387', '\u055f', '\u05f4', '\u2027', '\ufe13', '\ufe55', '\uff1a']);
const MID_NUM = new Set([',', ';', '\u037e', '\u0589', '\u060c', '\u060d', '\u066c', '\u07f8', '\u2044', '\ufe10', '\ufe14', '\ufe50', '\ufe54', '\uff0c', '\uff1b']);
const MID_NUM_LET = new Set(['.', "'", '\u2018', '\u2019', '\u2024', '\ufe52', '\uff07', '\uff0e']);

/** The class of one code point (`ch` is its string). */
function classify(ch: string): C {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) {
    if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a)) return C.Letter;
    if (cp >= 0x30 && cp <= 0x39) return C.Number;
    if (cp === 0x5f) return C.Connector;
    if (cp === 0x2e || cp === 0x27) return C.MidNumLet;
    if (cp === 0x2c || cp === 0x3b) return C.MidNum;
    if (cp === 0x3a) return C.MidLetter;
    if (cp === 0x22) return C.DoubleQuote;
    if (cp < 0x20 || cp === 0x7f) return C.Control;
    return C.Other;
  }
  if (cp === 0x200d) return C.Zwj;
  if (cp === 0x200c || RE_EXTEND.test(ch)) return C.Extend;
  if (cp === 0x200b || cp === 0x2028 || cp === 0x2029 || RE_CC.test(ch)) return C.Control;
  if (RE_CF.test(ch)) return C.Format;
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return C.RegionalIndicator;
  if (MID_NUM_LET.has(ch)) return C.MidNumLet;
  if (MID_LETTER.has(ch)) return C.MidLetter;
  if (MID_NUM.has(ch)) return C.MidNum;
  if (cp === 0x202f || RE_PC.test(ch)) return C.Connector;
  if (RE_ND.test(ch)) return C.Number;
  if (RE_L.test(ch)) {
    if (RE_DICTIONARY.test(ch)) return C.Dictionary;
    if (RE_HEBREW.test(ch)) return C.Hebrew;
    if (RE_HANGUL.test(ch)) return C.Hangul;
  }
  if (RE_LETTER.test(ch) && !RE_IDEOGRAPHIC.test(ch)) return C.Letter;
  return C.Other;
}

/** The code points of a text with their classes, computed once (O(n)). */
class Chars {
  /** UTF-16 offset of every code point, and the text's length at the end. */
  readonly starts: number[] = [];
  readonly classes: C[] = [];
  /** Code points from here on are out of reach (where an e-mail address or URL starts). */
  stop = 0;
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; ) {
      const len = (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
      this.starts.push(i);
      this.classes.push(classify(text.slice(i, i + len)));
      i += len;
    }
    this.starts.push(text.length);
    this.stop = this.classes.length;
  }
  get count(): number {
    return this.stop;
  }
  at(k: number): C | undefined {
    return k < this.stop ? this.classes[k] : undefined;
  }
  codePoint(k: number): number | undefined {
    return k < this.stop ? this.text.codePointAt(this.starts[k]) : undefined;
  }
  /** The index of the code point at UTF-16 offset `offset` (a code point start, or the text's length). */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.classes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

const isWordClass = (c: C | undefined) => c === C.Letter || c === C.Hebrew || c === C.Number || c === C.Connector;
const isLetterClass = (c: C | undefined) => c === C.Letter || c === C.Hebrew;
const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const isPictographic = (cp: number | undefined) => cp !== undefined && EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(cp));

/** The code point after k and what clings to it in a word (WB4: marks, format characters, ZWJ). */
function skipClinging(chars: Chars, k: number): number {
  let j = k + 1;
  while (j < chars.count && (chars.at(j) === C.Extend || chars.at(j) === C.Format || chars.at(j) === C.Zwj)) j++;
  return j;
}

/** End (code point index) of the word starting at code point k (a letter, digit or connector), or -1 for a lone connector. */
function wordEnd(chars: Chars, k: number): number {
  let last = chars.at(k);
  let end = skipClinging(chars, k);
  const first = end;
  for (;;) {
    const c = chars.at(end);
    if (isWordClass(c)) {
      // Letters, digits and connectors join in any order (WB5, WB8-WB10, WB13a/b).
      last = c;
      end = skipClinging(chars, end);
      continue;
    }
    if (c === undefined) break;
    const after = skipClinging(chars, end);
    const next = chars.at(after);
    const joinsLetters = isLetterClass(last) && (c === C.MidLetter || c === C.MidNumLet) && isLetterClass(next); // WB6/7
    const joinsDigits = last === C.Number && (c === C.MidNum || c === C.MidNumLet) && next === C.Number; // WB11/12
    const joinsHebrew = last === C.Hebrew && c === C.DoubleQuote && next === C.Hebrew; // WB7b/c
    if (joinsLetters || joinsDigits || joinsHebrew) {
      last = next;
      end = skipClinging(chars, after);
      continue;
    }
    if (last === C.Hebrew && chars.codePoint(end) === 0x27) end = after; // WB7a
    break;
  }
  // A lone connector ('_') is punctuation; a run of them ('___') is a word, as in ICU.
  return chars.at(k) === C.Connector && end === first ? -1 : end;
}

/** End (code point index) of the grapheme cluster starting at k (UAX #29's rules for punctuation, symbols and emoji). */
function graphemeEnd(chars: Chars, k: number): number {
  const c = chars.at(k);
  if (c === C.Control || c === C.Format) return chars.codePoint(k) === 0x0d && chars.codePoint(k + 1) === 0x0a ? k + 2 : k + 1;
  const pictographic = isPictographic(chars.codePoint(k));
  let j = c === C.RegionalIndicator && chars.at(k + 1) === C.RegionalIndicator ? k + 2 : k + 1;
  while (j < chars.count && (chars.at(j) === C.Extend || chars.at(j) === C.Zwj)) {
    // An emoji ZWJ sequence (GB11): ZWJ then a pictograph continues the cluster.
    if (chars.at(j++) === C.Zwj && pictographic && isPictographic(chars.codePoint(j))) j++;
  }
  return j;
}

const segmenters = new Map<string, Intl.Segmenter>();
function wordSegmenter(locale: string): Intl.Segmenter {
  let s = segmenters.get(locale);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity: 'word' });
    segmenters.set(locale, s);
  }
  return s;
}

// Intl.Segmenter slows down quadratically with the length of the string it walks (64k segments:
// seconds), so a long run of a dictionary script is segmented in pieces of at most CHUNK code
// units, cut before a letter (never before a mark).
const CHUNK = 2048;

/** The words of the dictionary-script run [from, to) (code points): Intl.Segmenter on that run alone. */
function dictionaryPieces(chars: Chars, from: number, to: number, locale: string, pieces: Piece[]): void {
  const segmenter = wordSegmenter(locale);
  for (let k = from; k < to; ) {
    let cut = to;
    if (chars.starts[to] - chars.starts[k] > CHUNK) {
      cut = k + 1;
      while (cut < to && chars.starts[cut + 1] - chars.starts[k] <= CHUNK) cut++;
      while (cut > k + 1 && chars.at(cut) !== C.Dictionary) cut--;
    }
    const offset = chars.starts[k];
    for (const seg of segmenter.segment(chars.text.slice(offset, chars.starts[cut]))) {
      // Joiners cling to words in UAX #29; they are not part of the word's edges.
      const word = seg.segment.replace(EDGE_FORMAT, '');
      if (INVISIBLE.test(word)) continue;
      const start = offset + seg.index + seg.segment.indexOf(word);
      pieces.push({ start, end: start + word.length, kind: 'word' });
    }
    k = cut;
  }
}

// ---- E-mail addresses and URLs: one word each ----

const LOCAL_PART = /[\p{L}\p{M}\p{N}._%+'-]/u;
const LOCAL_EDGE = /[\p{L}\p{N}]/u;
const DOMAIN_LABEL = /[\p{L}\p{M}\p{N}-]/u;
const SCHEME = /[A-Za-z0-9+.-]/;
const URL_STOP = /[\s<>"`{}|\\^\p{Cc}\p{Cf}]/u;
const URL_TRAILING = /[.,;:!?'"‘’“”«»)\]}。、，！？：；…]/u;
const BEFORE_URL = /[\p{L}\p{M}\p{N}_.@/-]/u;
const CLOSING: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/** End of a host name of two or more dot-separated labels at `i` (the last one with a letter), or -1. */
function domainEnd(text: string, i: number): number {
  let j = i;
  let labels = 0;
  let letter = false;
  for (;;) {
    const from = j;
    letter = false;
    while (j < text.length && DOMAIN_LABEL.test(text[j])) letter = RE_L.test(text[j++]) || letter;
    if (j === from) return -1;
    labels++;
    if (text[j] !== '.' || j + 1 >= text.length || !DOMAIN_LABEL.test(text[j + 1])) break;
    j++;
  }
  return labels >= 2 && letter ? j : -1;
}

/** End of the URL from `start` whose body starts at `from`: up to whitespace, without trailing punctuation (a closing bracket the URL opened stays). */
function urlEnd(text: string, start: number, from: number): number {
  let end = from;
  while (end < text.length && !URL_STOP.test(text[end])) end++;
  // Brackets counted once: how many of each the URL opens and closes, down to the current end.
  const count = new Map<string, number>();
  for (let i = start; i < end; i++) if ('()[]{}'.includes(text[i])) count.set(text[i], (count.get(text[i]) ?? 0) + 1);
  while (end > from && URL_TRAILING.test(text[end - 1])) {
    const close = text[end - 1];
    const open = CLOSING[close];
    if (open !== undefined) {
      if ((count.get(open) ?? 0) >= (count.get(close) ?? 0)) break;
      count.set(close, (count.get(close) ?? 0) - 1);
    }
    end--;
  }
  return end;
}

/** The e-mail addresses and URLs (scheme://..., www.host.tld...) of `text`, as sorted [start, end) pairs, in linear time. */
function findAtoms(text: string): Array<[number, number]> {
  const urls: Array<[number, number]> = [];
  let covered = 0;
  const anchors = /:\/\/|www\./giu;
  for (let m = anchors.exec(text); m !== null; m = anchors.exec(text)) {
    const at = m.index;
    if (at < covered) continue;
    let start = at;
    if (m[0] === '://') {
      // The scheme: up to 32 letters, digits, '+', '.', '-' before "://", starting with a letter at a word start.
      while (start > covered && at - start < 32 && SCHEME.test(text[start - 1])) start--;
      while (start < at && !/[A-Za-z]/.test(text[start])) start++;
      if (start === at || (start > 0 && BEFORE_URL.test(text[start - 1]))) continue;
    } else if (start > 0 && BEFORE_URL.test(text[start - 1])) {
      continue;
    }
    const from = m[0] === '://' ? at + 3 : at;
    const end = urlEnd(text, start, from);
    if (m[0] === '://' ? end > from : /^www\.[\p{L}\p{N}-]+\.[\p{L}\p{N}]/iu.test(text.slice(start, end))) {
      urls.push([start, end]);
      covered = end;
      anchors.lastIndex = Math.max(anchors.lastIndex, end);
    }
  }
  // E-mail addresses: around each '@' outside a URL; a local part never reaches back into the previous address.
  const emails: Array<[number, number]> = [];
  let u = 0;
  let taken = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    while (u < urls.length && urls[u][1] <= at) taken = Math.max(taken, urls[u++][1]);
    if (u < urls.length && urls[u][0] <= at) continue;
    let start = at;
    while (start > taken && LOCAL_PART.test(text[start - 1])) start--;
    while (start < at && !LOCAL_EDGE.test(text[start])) start++;
    if (start === at || text[at - 1] === '.') continue;
    const end = domainEnd(text, at + 1);
    if (end < 0 || (u < urls.length && end > urls[u][0])) continue;
    emails.push([start, end]);
    taken = end;
  }
  return [...urls, ...emails].sort((a, b) => a[0] - b[0]);
}

/**
 * Splits raw text into CoNLL-style words with their offsets, for prediction on plain strings.
 * The same words and offsets on every JavaScript engine: the word rules are this module's own
 * (UAX #29's, as Node's ICU applies them), and Intl.Segmenter only cuts runs of scripts written
 * without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar) with its dictionaries.
 * Whitespace, zero-width and control characters separate words and never become words;
 * punctuation and symbols (emoji: one grapheme each) are words of their own; e-mail addresses
 * and URLs are one word each. Then, as in CoNLL04: hyphenated compounds stay whole
 * ("co-operation"), dotted abbreviations keep their final period ("U.S.", "a.m.", "Ph.D.", "F.",
 * "Dr.", "Calif."; a sentence-final one keeps it too), runs of one repeatable punctuation
 * character stay together ("--", "...", "``"), numbers stay whole ("1,000", "3.5"), and clitics
 * split off Penn-Treebank style ("don't" -> "do" "n't", "Kennedy's" -> "Kennedy" "'s").
 * The package README ("splitWords rules") lists every rule.
 */
export function splitWords(text: string, options: SplitWordsOptions = {}): WordSpan[] {
  if (typeof text !== 'string') throw new TypeError(`splitWords: expected a string, got ${typeof text}`);
  const locale = options.locale ?? 'en';
  const abbreviations = new Set(options.abbreviations ?? DEFAULT_ABBREVIATIONS);
  const chars = new Chars(text);
  const atoms = findAtoms(text);
  const pieces: Piece[] = [];
  const total = chars.count;
  let nextAtom = 0;
  for (let k = 0; k < total; ) {
    const at = chars.starts[k];
    if (nextAtom < atoms.length && atoms[nextAtom][0] === at) {
      const [start, end] = atoms[nextAtom++];
      pieces.push({ start, end, kind: 'atom' });
      k = chars.indexOf(end);
      continue;
    }
    // Nothing before an e-mail address or URL runs into it.
    chars.stop = nextAtom < atoms.length ? chars.indexOf(atoms[nextAtom][0]) : total;
    let end: number;
    if (chars.at(k) === C.Dictionary) {
      end = k + 1;
      while ([C.Dictionary, C.Extend, C.Zwj].includes(chars.at(end) as C)) end++;
      dictionaryPieces(chars, k, end, locale, pieces);
      k = end;
      continue;
    }
    if (chars.at(k) === C.Hangul) {
      end = k + 1;
      while (chars.at(end) === C.Hangul) end = skipClinging(chars, end);
    } else {
      end = isWordClass(chars.at(k)) ? wordEnd(chars, k) : -1;
    }
    const kind: Kind = end >= 0 ? 'word' : 'other';
    if (end < 0) end = graphemeEnd(chars, k);
    // Format characters (BOM, zero-width joiners) and a narrow no-break space cling to words in
    // UAX #29; they are not part of the word's edges ("1\u202f000" stays one word).
    let last = end;
    while (kind === 'word' && last > k + 1 && (chars.at(last - 1) === C.Format || INVISIBLE_EDGE.has(chars.codePoint(last - 1) ?? 0))) last--;
    if (!INVISIBLE.test(text.slice(at, chars.starts[last]))) pieces.push({ start: at, end: chars.starts[last], kind });
    k = end;
  }
  const str = (p: Piece) => text.slice(p.start, p.end);
  const merged: Piece[] = [];
  for (const p of pieces) {
    const prev = merged[merged.length - 1];
    const touching = prev !== undefined && prev.end === p.start;
    const t = str(p);
    if (touching && p.kind === 'other' && REPEATABLE.has(t) && prev.kind === 'other' && [...str(prev)].every((c) => c === t)) {
      prev.end = p.end;
      continue;
    }
    // "word - word" without spaces: the hyphen was pushed as its own piece; join all three.
    const beforeHyphen = merged[merged.length - 2];
    if (
      touching && p.kind === 'word' && str(prev) === '-' &&
      beforeHyphen !== undefined && beforeHyphen.kind === 'word' && beforeHyphen.end === prev.start
    ) {
      merged.pop();
      beforeHyphen.end = p.end;
      continue;
    }
    // An apostrophe glued to a clitic after a space ("Kennedy 's", CoNLL04's own layout) is one word.
    if (touching && p.kind === 'word' && APOSTROPHE.test(str(prev)) && CLITIC_TAIL.test(t)) {
      prev.end = p.end;
      prev.kind = 'word';
      continue;
    }
    if (touching && t === '.' && prev.kind === 'word') {
      const w = str(prev);
      const last = w.split('-').pop() ?? w;
      if (DOTTED_LETTERS.test(last) || INITIAL.test(last) || abbreviations.has(last) || abbreviations.has(w)) {
        prev.end = p.end;
        continue;
      }
    }
    merged.push({ ...p });
  }
  const out: WordSpan[] = [];
  for (const p of merged) {
    const w = str(p);
    if (options.splitContractions !== false && p.kind === 'word') {
      const m = NEGATION.exec(w) ?? CLITIC.exec(w);
      if (m) {
        const cut = p.start + m[1].length;
        out.push({ text: m[1], start: p.start, end: cut }, { text: m[2], start: cut, end: p.end });
        continue;
      }
    }
    out.push({ text: w, start: p.start, end: p.end });
  }
  return out;
}
