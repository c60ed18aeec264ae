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

type Kind = 'word' | 'other';
interface Piece {
  start: number;
  end: number;
  kind: Kind;
}

const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Mn}\p{Me}]*$/u;
const REPEATABLE = new Set(['-', '.', '`', "'", '*', '=', '_', '~', '!', '?']);
const DOTTED_LETTERS = /^(?:\p{L}\.)+\p{L}$/u;
const INITIAL = /^\p{Lu}$/u;
const NEGATION = /^(.+?)(n['’]t)$/iu;
const CLITIC = /^(.+)(['’](?:s|re|ve|ll|m|d))$/iu;
const CLITIC_TAIL = /^(?:s|re|ve|ll|m|d)$/iu;
const APOSTROPHE = /^['’]$/u;
const EDGE_FORMAT = /^[\p{Cf}\p{Cc}]+|[\p{Cf}\p{Cc}]+$/gu;

const segmenters = new Map<string, { words: Intl.Segmenter; graphemes: Intl.Segmenter }>();
function segmentersFor(locale: string) {
  let s = segmenters.get(locale);
  if (!s) {
    s = {
      words: new Intl.Segmenter(locale, { granularity: 'word' }),
      graphemes: new Intl.Segmenter(locale, { granularity: 'grapheme' }),
    };
    segmenters.set(locale, s);
  }
  return s;
}

// Intl.Segmenter slows down quadratically with the length of the string it walks (64k segments:
// seconds), so long texts are segmented in pieces cut where a word boundary is certain: after
// whitespace, before a non-space character. A run of CHUNK characters without whitespace (only in
// hostile or broken input) is cut at a code point that starts a new grapheme.
const CHUNK = 2048;
const CONTINUES = /^(?:\p{M}|\u200d|\ufe0e|\ufe0f|[\udc00-\udfff])/u;

/** The word segments of `text`, with indices into `text`, computed piecewise (see CHUNK). */
function* segmentsOf(segmenter: Intl.Segmenter, text: string): Generator<{ segment: string; index: number; isWordLike?: boolean }> {
  let from = 0;
  while (from < text.length) {
    let to = text.length;
    if (to - from > CHUNK) {
      to = from + CHUNK;
      while (to < text.length && !(/\s/u.test(text[to - 1]) && !/\s/u.test(text[to])) && to < from + 2 * CHUNK) to++;
      if (to === from + 2 * CHUNK) {
        to = from + CHUNK;
        while (to < text.length && CONTINUES.test(text.slice(to, to + 1))) to++;
      }
    }
    for (const seg of segmenter.segment(text.slice(from, to))) yield { segment: seg.segment, index: from + seg.index, isWordLike: seg.isWordLike };
    from = to;
  }
}

/**
 * Splits raw text into CoNLL-style words with their offsets, for prediction on plain strings.
 * Intl.Segmenter finds words (dictionary-based for CJK); whitespace, zero-width and control
 * characters separate words and never become words; punctuation and symbols (emoji: one grapheme
 * each) are words of their own. Then, as in CoNLL04: hyphenated compounds stay whole
 * ("co-operation"), dotted abbreviations keep their final period ("U.S.", "a.m.", "F.", "Dr.",
 * "Calif."; a sentence-final one keeps it too), runs of one repeatable punctuation character stay
 * together ("--", "...", "``"), numbers stay whole ("1,000", "3.5"), and clitics split off
 * Penn-Treebank style ("don't" -> "do" "n't", "Kennedy's" -> "Kennedy" "'s").
 */
export function splitWords(text: string, options: SplitWordsOptions = {}): WordSpan[] {
  if (typeof text !== 'string') throw new TypeError(`splitWords: expected a string, got ${typeof text}`);
  const { words: wordSegmenter, graphemes } = segmentersFor(options.locale ?? 'en');
  const abbreviations = new Set(options.abbreviations ?? DEFAULT_ABBREVIATIONS);
  const pieces: Piece[] = [];
  for (const seg of segmentsOf(wordSegmenter, text)) {
    const start = seg.index;
    if (seg.isWordLike) {
      // Format characters (BOM, zero-width joiners) cling to words in UAX #29; they are not part of the word's edges.
      const inner = seg.segment.replace(EDGE_FORMAT, '');
      const from = start + (seg.segment.match(/^[\p{Cf}\p{Cc}]*/u)?.[0].length ?? 0);
      if (inner) pieces.push({ start: from, end: from + inner.length, kind: 'word' });
      continue;
    }
    for (const g of graphemes.segment(seg.segment)) {
      if (INVISIBLE.test(g.segment)) continue;
      const s = start + g.index;
      pieces.push({ start: s, end: s + g.segment.length, kind: 'other' });
    }
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
