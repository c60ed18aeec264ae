// The corpus of tricky raw strings (testing/split-corpus.json) against the words and offsets
// reviewed by hand (testing/split-corpus.expected.json). @spert/web's split-parity spec runs the
// same corpus through the browser bundle in chromium and requires Node's words and offsets there.
// The expected file was generated once from splitWords and every line checked by eye; a change of
// a rule shows up here as a diff to review, never as a file to regenerate blindly.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { splitWords } from './split-words';

interface CorpusCase {
  class: string;
  text: string;
}
interface ExpectedCase {
  text: string;
  words: Array<[string, number, number]>;
}

const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(__dirname, 'testing', file), 'utf8')) as T;
const corpus = read<{ cases: CorpusCase[] }>('split-corpus.json').cases;
const expected = read<{ cases: ExpectedCase[] }>('split-corpus.expected.json').cases;

describe('splitWords on the corpus of tricky raw strings', () => {
  it('has one reviewed expectation per corpus text, in order, covering every class of the issue', () => {
    expect(expected.map((c) => c.text)).toEqual(corpus.map((c) => c.text));
    expect(new Set(corpus.map((c) => c.class))).toEqual(new Set([
      'dotted abbreviations', 'e-mail addresses', 'URLs', 'numbers with separators', 'apostrophes and contractions',
      'hyphens and dashes', 'quotes and brackets', 'ellipses and repeated punctuation', 'emoji and non-BMP characters',
      'combining marks', 'CJK', 'Thai and other dictionary scripts', 'mixed scripts', 'whitespace varieties',
      'sentence-final periods', 'CoNLL04-like sentences',
    ]));
  });

  it.each(corpus.map((c, i) => [c.class, i, c.text] as const))('%s #%i: %j', (_class, i, text) => {
    const words = splitWords(text);
    expect(words.map((w) => [w.text, w.start, w.end])).toEqual(expected[i].words);
    for (const w of words) expect(text.slice(w.start, w.end)).toBe(w.text);
  });
});
