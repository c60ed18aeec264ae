import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { sharedPath } from '../../../tools/testing/shared';
import { TokenizerConfigError } from './errors';
import { HfTokenizer } from './hf-tokenizer';
import { loadTokenizer } from './load-tokenizer';
import { trainByteLevelBpe } from './train-bpe';
import type { TrainedTokenizer } from './train-common';
import { trainUnigram } from './train-unigram';

const trainWords = (): string[] =>
  (JSON.parse(readFileSync(sharedPath('datasets/conll04/conll04_train.json'), 'utf8')) as Array<{ tokens: string[] }>).flatMap((d) => d.tokens);

/** The files of a trained tokenizer as loadTokenizer's readTextFile sees a directory. */
function memoryDir(trained: TrainedTokenizer) {
  const files: Record<string, string> = {
    'saved/tokenizer.json': JSON.stringify(trained.tokenizerJson),
    'saved/tokenizer_config.json': JSON.stringify(trained.tokenizerConfig),
  };
  return async (p: string) => files[p];
}

const modelVocab = (t: TrainedTokenizer) => (t.tokenizerJson.model as { vocab: unknown }).vocab;

describe('trainByteLevelBpe', () => {
  // Hand-worked: pre-tokens Ġhug x2, Ġpug, Ġhugs. Pair counts u g 4 -> merge; then Ġ h 3 and h ug 3
  // tie: 'h' (U+0068) < 'Ġ' (U+0120), so h ug; then Ġ hug 3; then three pairs of count 1, where
  // p ug wins ('p' < 'Ġ' and 'Ġhug').
  const corpus = ['hug', 'pug', 'hugs', 'hug'];
  it('reproduces the merges of a hand-worked corpus, ties by the smaller left then right symbol', () => {
    const t = trainByteLevelBpe({ words: corpus, vocabSize: 265, minFrequency: 1 });
    const model = t.tokenizerJson.model as { merges: string[]; vocab: Record<string, number> };
    expect(model.merges).toEqual(['u g', 'h ug', 'Ġ hug', 'p ug']);
    expect(Object.entries(model.vocab).filter(([, id]) => id >= 260)).toEqual([['ug', 260], ['hug', 261], ['Ġhug', 262], ['pug', 263], ['<mask>', 264]]);
    // minFrequency 2 stops before the pairs seen once; vocabSize is an upper bound.
    const fewer = trainByteLevelBpe({ words: corpus, vocabSize: 300 }).tokenizerJson.model as { merges: string[] };
    expect(fewer.merges).toEqual(['u g', 'h ug', 'Ġ hug']);
  });

  it('lays out roberta-base: specials 0..3, the byte alphabet by byte value, <mask> last, RobertaProcessing', () => {
    const t = trainByteLevelBpe({ words: corpus, vocabSize: 265, minFrequency: 1 });
    const vocab = modelVocab(t) as Record<string, number>;
    expect([vocab['<s>'], vocab['<pad>'], vocab['</s>'], vocab['<unk>']]).toEqual([0, 1, 2, 3]);
    expect([vocab['Ā'], vocab['Ġ'], vocab['!'], vocab['ÿ']]).toEqual([4, 36, 37, 259]);
    const fixture = JSON.parse(readFileSync(sharedPath('fixtures/tiny-roberta/tokenizer.json'), 'utf8')) as Record<string, unknown>;
    const fixtureVocab = (fixture.model as { vocab: Record<string, number> }).vocab;
    const byId = (v: Record<string, number>) => Object.entries(v).filter(([, id]) => id < 260).sort((a, b) => a[1] - b[1]);
    expect(byId(vocab)).toEqual(byId(fixtureVocab));
    for (const key of ['pre_tokenizer', 'post_processor', 'decoder', 'normalizer']) expect(t.tokenizerJson[key]).toEqual(fixture[key]);
    const tok = new HfTokenizer(t);
    expect(tok.specialIds).toEqual({ cls: 0, sep: 2, pad: 1, unk: 3, mask: 264 });
    expect(tok.encodeWords(['hugs', 'pug']).inputIds).toEqual([0, vocab['Ġhug'], vocab.s, vocab['Ġ'], vocab.pug, 2]);
  });

  it('rejects a vocabSize without room for the specials, the bytes and <mask>', () => {
    expect(() => trainByteLevelBpe({ words: corpus, vocabSize: 260 })).toThrow(TokenizerConfigError);
    expect(() => trainByteLevelBpe({ words: [], vocabSize: 300 })).toThrow(/no training words/);
  });
});

describe('trainUnigram', () => {
  it('lays out deberta-v3: [PAD] [CLS] [SEP] [UNK] at 0..3, [MASK] last, Metaspace and the [CLS] A [SEP] template', () => {
    const t = trainUnigram({ words: trainWords().slice(0, 3000), vocabSize: 500 });
    const vocab = modelVocab(t) as Array<[string, number]>;
    expect(vocab.slice(0, 4)).toEqual([['[PAD]', 0], ['[CLS]', 0], ['[SEP]', 0], ['[UNK]', 0]]);
    expect(vocab.length).toBe(499);
    const scores = vocab.slice(4).map(([, s]) => s);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const fixture = JSON.parse(readFileSync(sharedPath('fixtures/tiny-deberta-v3/tokenizer.json'), 'utf8')) as Record<string, unknown>;
    for (const key of ['pre_tokenizer', 'post_processor', 'decoder']) expect(t.tokenizerJson[key]).toEqual(fixture[key]);
    expect(t.tokenizerJson.added_tokens).toEqual((fixture.added_tokens as Array<{ id: number }>).map((a) => (a.id === 400 ? { ...a, id: 499 } : a)));
    const tok = new HfTokenizer(t);
    expect(tok.specialIds).toEqual({ cls: 1, sep: 2, pad: 0, unk: 3, mask: 499 });
    expect(tok.vocabSize).toBe(500);
  });

  it('keeps every character of the training words even when the pieces would not', () => {
    // 'z' and 'q' occur only inside frequent words, so EM gives them no mass of their own.
    const words = [...Array<string>(50).fill('zebra'), ...Array<string>(50).fill('quiet'), 'a', 'b'];
    const t = trainUnigram({ words, vocabSize: 30 });
    const pieces = (modelVocab(t) as Array<[string, number]>).map(([p]) => p);
    for (const c of new Set([...words.join(''), '▁'])) expect(pieces).toContain(c);
    const tok = new HfTokenizer(t);
    for (const w of ['zz', 'qa', 'ebraqu', 'b']) expect(tok.encodeWord(w)).not.toContain(tok.specialIds.unk);
  });

  it('rejects a vocabSize smaller than the characters the training words need', () => {
    expect(() => trainUnigram({ words: ['abcdefgh'], vocabSize: 10 })).toThrow(/9 distinct characters.*vocabSize >= 14/);
  });
});

describe.each([
  ['byte-level BPE', trainByteLevelBpe],
  ['Unigram', trainUnigram],
] as const)('%s on CoNLL04 train', (_name, train) => {
  const words = trainWords();
  const distinct = [...new Set(words)];
  const trained = train({ words, vocabSize: 4000 });
  const tok = new HfTokenizer(trained);

  it('has exactly vocabSize ids when the corpus allows it, and the tokenizer sees the same size', () => {
    expect(tok.vocabSize).toBe(4000);
  });

  it('encodes every training word without the unknown token and decodes the pieces back to the word', () => {
    const decoder = new Tokenizer(trained.tokenizerJson, trained.tokenizerConfig);
    const problems: string[] = [];
    for (const w of distinct) {
      const ids = tok.encodeWord(w);
      if (ids.includes(tok.specialIds.unk)) problems.push(`${w}: unknown token`);
      const back = decoder.decode([...ids]).replace(/^ /, '');
      if (back !== w) problems.push(`${w}: decodes to ${JSON.stringify(back)}`);
    }
    expect(problems).toEqual([]);
    // Frequent words become one piece: the merges/pieces come from these words.
    expect(tok.tokenizeWord('Washington')).toHaveLength(1);
  });

  it('is deterministic and independent of the order of the words', () => {
    expect(train({ words: [...words].reverse(), vocabSize: 4000 })).toEqual(trained);
  });

  it('gives the same tokenizer.json from pre-counted words (wordCounts) as from the word list', () => {
    const counts = new Map<string, number>();
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect(JSON.stringify(train({ wordCounts: counts, vocabSize: 4000 }))).toBe(JSON.stringify(trained));
    // A word may repeat among the entries (its counts add up), and lower-casing merges counts as it merges words.
    const few = words.slice(0, 5000);
    const lower = train({ words: few, vocabSize: 1500, lowercase: true });
    const fewCounts = new Map<string, number>();
    for (const w of few) fewCounts.set(w, (fewCounts.get(w) ?? 0) + 1);
    const split = [...fewCounts].flatMap(([w, n]): Array<[string, number]> => (n > 1 ? [[w, 1], [w, n - 1]] : [[w, n]]));
    expect(train({ wordCounts: split, vocabSize: 1500, lowercase: true })).toEqual(lower);
  });

  it('refuses both or neither of words and wordCounts, and bad counts, naming the entry', () => {
    expect(() => train({ vocabSize: 4000 })).toThrow(/exactly one of words or wordCounts \(got neither\)/);
    expect(() => train({ words: ['a'], wordCounts: [['a', 1]], vocabSize: 4000 })).toThrow(/got both/);
    expect(() => train({ wordCounts: [['a', 1], ['b', 0]], vocabSize: 4000 })).toThrow(/wordCounts entry 1 \("b"\): the count must be a positive integer, got 0/);
    expect(() => train({ wordCounts: [['a', 1.5]], vocabSize: 4000 })).toThrow(/positive integer, got 1.5/);
  });

  it('round-trips through files() and loadTokenizer with the same encodings', async () => {
    const saved = new HfTokenizer({ ...trained, maxLength: 128 });
    const files = saved.files();
    const back = await loadTokenizer({ dir: 'saved', readTextFile: async (p) => files[p.replace(/^saved\//, '')] });
    expect(back.tokenizer.maxLength).toBe(128);
    const sample = distinct.slice(0, 40);
    expect(back.tokenizer.encodeWords(sample).inputIds).toEqual(saved.encodeWords(sample).inputIds);
    expect(distinct.map((w) => back.tokenizer.encodeWord(w))).toEqual(distinct.map((w) => saved.encodeWord(w)));
    expect(back.tokenizer.specialIds).toEqual(saved.specialIds);
    await expect(loadTokenizer({ dir: 'saved', readTextFile: memoryDir(trained) })).resolves.toBeDefined();
  });

  it('lower-cases training words and, through a Lowercase normalizer, the words it encodes', () => {
    const lower = new HfTokenizer(train({ words: words.slice(0, 5000), vocabSize: 1500, lowercase: true }));
    expect(lower.encodeWord('WASHINGTON')).toEqual(lower.encodeWord('washington'));
    expect(lower.encodeWord('Reagan')).not.toContain(lower.specialIds.unk);
  });
});
