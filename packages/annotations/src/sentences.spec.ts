import { splitWords } from '@spert/tokenizer';
import { sentenceRanges } from './sentences';

const split = (text: string, mode: 'document' | 'sentences' | 'lines') => {
  const words = splitWords(text).map((w) => [w.start, w.end] as [number, number]);
  return sentenceRanges(text, words, mode).map(([a, b]) => text.slice(words[a][0], words[b - 1][1]));
};

describe('sentenceRanges', () => {
  it('ends sentences at full stops, not at abbreviations the word splitter keeps whole', () => {
    expect(split('Dr. Smith met Sen. Jones in the U.S. Army base. They talked! Why? Because.', 'sentences')).toEqual([
      'Dr. Smith met Sen. Jones in the U.S. Army base.',
      'They talked!',
      'Why?',
      'Because.',
    ]);
  });

  it('keeps closing quotes and brackets with the sentence they close; blank lines end a sentence', () => {
    expect(split('He said "Go." (Then he left.) Done\n\nNext part', 'sentences')).toEqual(['He said "Go."', '(Then he left.)', 'Done', 'Next part']);
    expect(split('CJK works too。第二句！', 'sentences')).toEqual(['CJK works too。', '第二句！']);
  });

  it("'lines' cuts at every line break, 'document' never", () => {
    const text = 'first line\r\nsecond. still second\nthird';
    expect(split(text, 'lines')).toEqual(['first line', 'second. still second', 'third']);
    expect(split(text, 'document')).toEqual([text]);
    expect(sentenceRanges('', [], 'sentences')).toEqual([]);
  });
});
