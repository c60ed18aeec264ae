import { readFileSync } from 'node:fs';
import { sharedPath } from '../../../tools/testing/shared';
import { BertWordPieceTokenizer } from './bert-tokenizer';
import { buildVocab, DEFAULT_SPECIAL_TOKENS } from './build-vocab';
import { formatVocab, parseVocab, writeVocab } from './vocab-file';

function datasetWords(split: string): string[] {
  const docs = JSON.parse(readFileSync(sharedPath(`datasets/conll04/conll04_${split}.json`), 'utf8')) as Array<{ tokens: string[] }>;
  return docs.flatMap((d) => d.tokens);
}

const trainWords = datasetWords('train');

describe('buildVocab', () => {
  it('reproduces the spert-scratch-conll04 vocabulary from CoNLL04 train exactly', () => {
    const expected = parseVocab(readFileSync(sharedPath('fixtures/spert-scratch-conll04/vocab.txt'), 'utf8'));
    expect(buildVocab({ words: trainWords })).toEqual(expected);
  });

  it('gives the same vocabulary from pre-counted words (a Map in corpus order) as from the word list', () => {
    const counts = new Map<string, number>();
    for (const w of trainWords) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect(buildVocab({ wordCounts: counts })).toEqual(buildVocab({ words: trainWords }));
    expect(buildVocab({ wordCounts: counts, maxSize: 700, lowercase: true, minFrequency: 2 })).toEqual(
      buildVocab({ words: trainWords, maxSize: 700, lowercase: true, minFrequency: 2 }),
    );
    expect(() => buildVocab({ wordCounts: [['a', -1]] })).toThrow(/wordCounts entry 0 \("a"\): the count must be a positive integer/);
  });

  it('cuts whole words at maxSize (tiny-bert shares the first 534 entries)', () => {
    const tiny = parseVocab(readFileSync(sharedPath('fixtures/tiny-bert/vocab.txt'), 'utf8'));
    const vocab = buildVocab({ words: trainWords, maxSize: 534 });
    expect(vocab).toEqual(tiny.slice(0, 534));
  });

  it('gives a vocabulary under which no CoNLL04 train word becomes [UNK], cased and uncased', () => {
    for (const lowercase of [false, true]) {
      const vocab = buildVocab({ words: trainWords, lowercase });
      const tokenizer = new BertWordPieceTokenizer({ vocab, lowercase });
      const unknown = [...new Set(trainWords)].filter((w) => tokenizer.encodeWord(w).includes(tokenizer.specialIds.unk));
      expect(unknown).toEqual([]);
      if (lowercase) expect(vocab.some((t) => !DEFAULT_SPECIAL_TOKENS.includes(t) && /\p{Lu}/u.test(t))).toBe(false);
    }
  });

  it('lays out special tokens, sorted characters, ## characters, then words by frequency with first-occurrence ties', () => {
    const vocab = buildVocab({ words: ['b', 'ab', 'ca', 'ca', 'b', 'ab', 'ca', 'zz'] });
    expect(vocab).toEqual([...DEFAULT_SPECIAL_TOKENS, 'a', 'b', 'c', 'z', '##a', '##b', '##c', '##z', 'ca', 'ab', 'zz']);
    expect(buildVocab({ words: ['b', 'ab', 'ca', 'ca', 'ab', 'ca', 'zz'], minFrequency: 2 }).slice(13)).toEqual(['ca', 'ab']);
  });

  it('normalizes like the uncased tokenizer and makes accented and CJK words tokenizable', () => {
    const words = ['Café', 'CAFÉ', '北京', 'naïve', '😀x', 'a\u200bb'];
    const vocab = buildVocab({ words, lowercase: true, specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] });
    expect(vocab.slice(0, 4)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]']);
    expect(vocab).toContain('cafe');
    expect(vocab).not.toContain('CAFÉ');
    const tokenizer = new BertWordPieceTokenizer({ vocab, lowercase: true });
    for (const w of words) expect(tokenizer.tokenize(w)).not.toContain('[UNK]');
    expect(tokenizer.tokenize('北京')).toEqual(['北', '京']);
    expect(tokenizer.tokenize('CAFÉ')).toEqual(['cafe']);
  });

  it('rejects a maxSize that cannot hold the characters, and bad input', () => {
    expect(() => buildVocab({ words: ['abc'], maxSize: 8 })).toThrow(/maxSize 8 is too small.*3 characters.*11 entries/);
    expect(() => buildVocab({ words: ['a', 1 as unknown as string] })).toThrow(/training word 1 is 1, not a string/);
    expect(() => buildVocab({ words: ['a'], minFrequency: 0 })).toThrow(/minFrequency/);
  });
});

describe('writeVocab', () => {
  it('writes one token per line through the injected writer and parses back', async () => {
    const written: Array<[string, string]> = [];
    const vocab = ['[PAD]', '[UNK]', 'a b', '##x'];
    await writeVocab('/out/vocab.txt', vocab, { writeFile: async (p, d) => void written.push([p, d]) });
    expect(written).toEqual([['/out/vocab.txt', '[PAD]\n[UNK]\na b\n##x\n']]);
    expect(parseVocab(written[0][1])).toEqual(vocab);
    expect(() => formatVocab(['a', 'b\nc'])).toThrow(/entry 1 contains a line break/);
  });
});
