import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { sharedPath } from '../../../tools/testing/shared';
import { BertWordPieceTokenizer } from './bert-tokenizer';
import { buildVocab } from './build-vocab';
import { SequenceTooLongError, TokenizerConfigError } from './errors';
import { parseVocab } from './vocab-file';

interface ExpectedTokenization {
  words: Array<{ word: string; cased: string[]; uncased: string[] }>;
  sentence: { tokens: string[]; cased_pieces_per_word: string[][] };
}

const tinyVocab = parseVocab(readFileSync(sharedPath('fixtures/tiny-bert/vocab.txt'), 'utf8'));
const expected = JSON.parse(
  readFileSync(sharedPath('fixtures/tiny-bert/expected_tokenization.json'), 'utf8'),
) as ExpectedTokenization;
const cased = new BertWordPieceTokenizer({ vocab: tinyVocab, lowercase: false });
const uncased = new BertWordPieceTokenizer({ vocab: tinyVocab, lowercase: true });

describe('BertWordPieceTokenizer against the reference BertTokenizer (tiny-bert fixture)', () => {
  it.each(expected.words.map((w) => [JSON.stringify(w.word), w] as const))('cased pieces of %s', (_name, w) => {
    expect(cased.tokenize(w.word)).toEqual(w.cased);
  });

  it.each(expected.words.map((w) => [JSON.stringify(w.word), w] as const))('uncased pieces of %s', (_name, w) => {
    expect(uncased.tokenize(w.word)).toEqual(w.uncased);
  });

  it('gives the per-word pieces of the CoNLL04 sentence', () => {
    const { tokens, cased_pieces_per_word } = expected.sentence;
    expect(tokens.map((t) => cased.tokenize(t))).toEqual(cased_pieces_per_word);
  });

  it('encodes the sentence as [CLS] pieces [SEP] with word ranges over the pieces', () => {
    const { tokens, cased_pieces_per_word } = expected.sentence;
    const enc = cased.encodeWords(tokens);
    const flat = cased_pieces_per_word.flat();
    expect(cased.idsToTokens(enc.inputIds)).toEqual(['[CLS]', ...flat, '[SEP]']);
    let pos = 1;
    enc.wordRanges.forEach(([s, e], i) => {
      expect([s, e]).toEqual([pos, pos + cased_pieces_per_word[i].length]);
      pos = e;
    });
    expect(enc.droppedWords).toBe(0);
  });
});

describe('BertWordPieceTokenizer basics', () => {
  it('exposes the special ids, vocabulary size and id/token lookups', () => {
    expect(cased.specialIds).toEqual({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
    expect(cased.vocabSize).toBe(540);
    expect(cased.idToToken(2)).toBe('[CLS]');
    expect(cased.tokenToId('President')).toBe(tinyVocab.indexOf('President'));
    expect(cased.tokenToId('not-a-token')).toBeUndefined();
    expect(() => cased.idToToken(540)).toThrow(RangeError);
    expect(() => cased.idToToken(-1)).toThrow(/outside the vocabulary/);
  });

  it('encodes a word that yields no piece as one [UNK] (empty word, zero-width space, control characters)', () => {
    // Unassigned (Cn), private-use (Co) and lone surrogates (Cs) are "control" to BertTokenizer too.
    for (const word of ['', '\u200b', '\u0000', ' ', '\u0007\u200d', '\ufffd', '\u0378', '\ue000', '\ud800']) {
      expect(cased.encodeWord(word)).toEqual([cased.specialIds.unk]);
    }
    const enc = cased.encodeWords(['the', '', 'of']);
    expect(enc.inputIds).toEqual([2, cased.tokenToId('the'), 1, cased.tokenToId('of'), 3]);
    expect(enc.wordRanges).toEqual([[1, 2], [2, 3], [3, 4]]);
    expect(cased.tokenize('th\u0378e')).toEqual(['the']);
  });

  it('maps a word longer than 100 characters to [UNK] and one of exactly 100 to pieces', () => {
    expect(cased.tokenize('a'.repeat(101))).toEqual(['[UNK]']);
    expect(cased.tokenize('a'.repeat(100))).toEqual(['a', ...Array<string>(99).fill('##a')]);
    // Counted in code points, not UTF-16 units: 60 astral characters are 120 units but 60 characters.
    const astral = '\u{20000}'.repeat(60);
    expect(cased.tokenize(astral)).toEqual(Array<string>(60).fill('[UNK]'));
  });

  it('splits punctuation off and aligns words that contain it', () => {
    expect(cased.tokenize('U.S.')).toEqual(['U', '.', 'S', '.']);
    expect(cased.tokenize('(AP)')).toEqual(['(', 'AP', ')']);
    expect(cased.tokenize('(Zz)')).toEqual(['(', 'Z', '##z', ')']);
    const enc = cased.encodeWords(['U.S.', 'said']);
    expect(enc.wordRanges).toEqual([[1, 5], [5, 6]]);
  });

  it('handles accents and unknown characters per casing', () => {
    expect(cased.tokenize('Café')).toEqual(['[UNK]']);
    expect(uncased.tokenize('Café')).toEqual(['c', '##a', '##f', '##e']);
    // Decomposed input is composed first (NFC), so it behaves like the precomposed word.
    expect(cased.tokenize('Cafe\u0301')).toEqual(['[UNK]']);
    expect(uncased.tokenize('Cafe\u0301')).toEqual(['c', '##a', '##f', '##e']);
    expect(cased.tokenize('a😀b')).toEqual(['[UNK]']);
    const noStrip = new BertWordPieceTokenizer({ vocab: tinyVocab, lowercase: true, stripAccents: false });
    expect(noStrip.tokenize('Café')).toEqual(['[UNK]']);
  });

  it('splits CJK ideographs, astral ones included, into single characters', () => {
    expect(cased.tokenize('北京')).toEqual(['[UNK]', '[UNK]']);
    expect(cased.tokenize('a\u{20000}b')).toEqual(['a', '[UNK]', 'b']);
    const vocab = [...tinyVocab, '北', '\u{20000}'];
    const t = new BertWordPieceTokenizer({ vocab, lowercase: false });
    expect(t.tokenize('北京')).toEqual(['北', '[UNK]']);
    expect(t.tokenize('a\u{20000}b')).toEqual(['a', '\u{20000}', 'b']);
    const off = new BertWordPieceTokenizer({ vocab, lowercase: false, handleChineseChars: false });
    expect(off.tokenize('a北')).toEqual(['[UNK]']);
  });

  it('keeps special tokens whole, as BertTokenizer never splits them', () => {
    expect(cased.tokenize('[MASK]')).toEqual(['[MASK]']);
    expect(uncased.tokenize('the[SEP]of')).toEqual(['the', '[SEP]', 'of']);
  });

  it('caches per-word ids and returns the same frozen array', () => {
    const a = cased.encodeWord('Washington');
    expect(cased.encodeWord('Washington')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('rejects a vocabulary without the BERT special tokens, naming the missing one', () => {
    expect(() => new BertWordPieceTokenizer({ vocab: ['[PAD]', '[UNK]', 'a'], lowercase: false })).toThrow(TokenizerConfigError);
    expect(() => new BertWordPieceTokenizer({ vocab: ['[PAD]', '[UNK]', 'a'], lowercase: false })).toThrow(/cls token "\[CLS\]"/);
  });

  it('rejects non-string words, naming the document and word', () => {
    expect(() => cased.encodeWords(['a', 3 as unknown as string], { documentIndex: 7 })).toThrow(/document 7, word 1/);
  });
});

describe('too long documents', () => {
  const words = ['President', 'Washington', 'Reagan', 'the']; // 1 + 1 + 6 + 1 pieces
  it('throws SequenceTooLongError naming the document, word count and length', () => {
    let error: unknown;
    try {
      cased.encodeWords(words, { documentIndex: 12, maxLength: 10 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SequenceTooLongError);
    const e = error as SequenceTooLongError;
    expect([e.documentIndex, e.wordCount, e.wordpieceLength, e.maxLength]).toEqual([12, 4, 11, 10]);
    expect(e.message).toMatch(/document 12 .*4 words give 11 wordpieces .*maximum is 10/);
  });

  it('fits exactly at maxLength', () => {
    expect(cased.encodeWords(words, { maxLength: 11 }).inputIds).toHaveLength(11);
  });

  it("truncates whole words with onTooLong: 'truncate' and reports the dropped count", () => {
    const enc = cased.encodeWords(words, { maxLength: 9, onTooLong: 'truncate' });
    expect(enc.droppedWords).toBe(2);
    expect(enc.wordRanges).toEqual([[1, 2], [2, 3]]);
    expect(enc.inputIds).toEqual([2, cased.tokenToId('President'), cased.tokenToId('Washington'), 3]);
    const none = cased.encodeWords(words, { maxLength: 2, onTooLong: 'truncate' });
    expect(none).toEqual({ inputIds: [2, 3], wordRanges: [], droppedWords: 4 });
  });

  it('uses the default maximum of 512', () => {
    const long = Array<string>(511).fill('the');
    expect(() => cased.encodeWords(long)).toThrow(SequenceTooLongError);
    expect(cased.encodeWords(long.slice(1)).inputIds).toHaveLength(512);
  });
});

describe('tokenizer.json export', () => {
  it('loads in @huggingface/tokenizers and gives the same pieces on the fixture words', () => {
    for (const t of [cased, uncased]) {
      const hf = new Tokenizer(t.toTokenizerJson(), { do_lower_case: t.lowercase });
      for (const w of expected.words) {
        expect(hf.tokenize(w.word)).toEqual(t.tokenize(w.word));
      }
      const enc = hf.encode('President Washington');
      expect(enc.ids).toEqual(t.encodeWords(['President', 'Washington']).inputIds);
    }
  });
});

describe('non-ASCII basic tokenization against @huggingface/tokenizers', () => {
  // Inputs where the library's BertNormalizer is exact (NFC-stable, BMP CJK, no unassigned code
  // points), so it serves as an independent implementation of BertTokenizer's rules.
  const words = [
    'Ελληνικά', 'ΣΟΦΙΑ', 'Москва', 'Straße', 'İstanbul', 'Ærøskøbing', 'Nguyễn', 'Français', '東京タワー', '한국어',
    'हिन्दी', 'العربية', 'a\u00a0b', 'tab\there', 'x\u2028y', '¿Qué?', '«quote»', '“smart”', 'née—dash', '¡Olé!',
    '1½', '€100', 'Ω≈∑', 'ﬁne', 'ｆｕｌｌ', 'a\u00adb', '\u0007bell', 'x\u200by', 'A&B/C',
  ];
  for (const lowercase of [false, true]) {
    it(`gives the same pieces on ${words.length} non-ASCII words (${lowercase ? 'uncased' : 'cased'})`, () => {
      const vocab = buildVocab({ words: [...words, 'Ελληνικά'.toLowerCase()], lowercase });
      const ours = new BertWordPieceTokenizer({ vocab, lowercase });
      const hf = new Tokenizer(ours.toTokenizerJson(), { do_lower_case: lowercase });
      expect(words.map((w) => ours.tokenize(w))).toEqual(words.map((w) => hf.tokenize(w)));
      // The builder's guarantee: every word is tokenizable without [UNK].
      expect(words.filter((w) => ours.tokenize(w).includes('[UNK]'))).toEqual([]);
      // Where they differ on purpose: BertTokenizer composes (NFC) before WordPiece, the library does not.
      if (!lowercase) expect([ours.tokenize('e\u0301'), hf.tokenize('e\u0301')]).toEqual([['é'], ['[UNK]']]);
    });
  }
});
