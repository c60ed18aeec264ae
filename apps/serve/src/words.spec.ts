import { splitWords } from './words';

describe('splitWords', () => {
  it('splits on whitespace and punctuation with exact character offsets', () => {
    const text = 'John  Smith, of Acme-Corp.';
    const words = splitWords(text);
    expect(words.map((w) => w.text)).toEqual(['John', 'Smith', ',', 'of', 'Acme', '-', 'Corp', '.']);
    for (const w of words) expect(text.slice(w.start, w.end)).toBe(w.text);
  });

  it('drops zero-width and bidi format characters and keeps emoji and RTL words intact', () => {
    const text = 'a\u200bb \u200fשלום\u200e 👩‍💻 x';
    const words = splitWords(text);
    expect(words.map((w) => w.text)).toEqual(['a', 'b', 'שלום', '👩', '💻', 'x']);
    for (const w of words) expect(text.slice(w.start, w.end)).toBe(w.text);
  });

  it('keeps lone surrogates as word characters without breaking surrogate pairs', () => {
    const text = 'ab\ud800c 😀d';
    const words = splitWords(text);
    expect(words).toEqual([
      { text: 'ab\ud800c', start: 0, end: 4 },
      { text: '😀d', start: 5, end: 8 },
    ]);
  });

  it('makes CJK ideographs single words and returns nothing for blank text', () => {
    expect(splitWords('東京abc').map((w) => w.text)).toEqual(['東', '京', 'abc']);
    expect(splitWords(' \t\n\u200b')).toEqual([]);
  });
});
