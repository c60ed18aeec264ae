import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { BertWordPieceTokenizer } from './bert-tokenizer';
import { SequenceTooLongError, TokenizerConfigError } from './errors';
import { HfTokenizer } from './hf-tokenizer';
import { loadTokenizer } from './load-tokenizer';
import type { SubwordTokenizer } from './subword-tokenizer';
import { parseVocab } from './vocab-file';

interface RobertaExpected {
  words: Array<{ word: string; ids_with_prefix_space: number[]; ids_no_prefix_space: number[] }>;
  sentences: Array<{ words: string[]; ids_per_word: number[][]; input_ids_is_split_into_words: number[] }>;
}
interface DebertaExpected {
  mask_token_id: number;
  words: Array<{ word: string; ids: number[] }>;
  sentences: Array<{ words: string[]; ids_per_word: number[][]; input_ids_is_split_into_words: number[] }>;
}

const robertaDir = sharedPath('fixtures/tiny-roberta');
const debertaDir = sharedPath('fixtures/tiny-deberta-v3');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const roberta = readJson<RobertaExpected>(path.join(robertaDir, 'expected_tokenization.json'));
const deberta = readJson<DebertaExpected>(path.join(debertaDir, 'expected_tokenization.json'));

/** An in-memory checkpoint directory for the injectable reader. */
function memoryDir(files: Record<string, string>) {
  return async (file: string) => files[path.basename(file)];
}

/** The fixture directory's files, read through the injectable reader, without some of them. */
function fixtureWithout(...hidden: string[]) {
  return async (file: string) => {
    if (hidden.includes(path.basename(file))) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
}

/** Every word's range covers exactly its own pieces, in order, between the framing special tokens. */
function expectAligned(t: SubwordTokenizer, words: readonly string[], maxLength?: number): void {
  const { inputIds, wordRanges } = t.encodeWords(words, { maxLength });
  expect(wordRanges).toHaveLength(words.length);
  const prefix = t.numSpecialTokens - 1;
  expect(inputIds[0]).toBe(t.specialIds.cls);
  expect(inputIds[inputIds.length - 1]).toBe(t.specialIds.sep);
  let pos = prefix;
  wordRanges.forEach(([start, end], i) => {
    expect([start, end]).toEqual([pos, pos + t.encodeWord(words[i]).length]);
    expect(inputIds.slice(start, end)).toEqual(t.encodeWord(words[i]));
    pos = end;
  });
  expect(pos).toBe(inputIds.length - (t.numSpecialTokens - prefix));
}

describe('HfTokenizer on tiny-roberta (byte-level BPE, RobertaProcessing)', () => {
  let t: SubwordTokenizer;
  beforeAll(async () => {
    const loaded = await loadTokenizer({ dir: robertaDir });
    expect([loaded.vocabFile, loaded.casingSource]).toEqual(['tokenizer.json', 'tokenizer.json']);
    t = loaded.tokenizer;
  });

  it('reads the special tokens from the post_processor and tokenizer_config.json, maxLength from the checkpoint', () => {
    expect(t).toBeInstanceOf(HfTokenizer);
    expect(t.kind).toBe('tokenizer-json');
    expect(t.specialIds).toEqual({ cls: 0, sep: 2, pad: 1, unk: 3, mask: 560 });
    expect(t.numSpecialTokens).toBe(2);
    expect(t.vocabSize).toBe(561);
    // config.json: 66 positions, of which padding_idx + 1 = 2 come before the first token.
    expect(t.maxLength).toBe(64);
    expect([t.idToToken(0), t.idToToken(560), t.tokenToId('<mask>')]).toEqual(['<s>', '<mask>', 560]);
    expect(() => t.idToToken(561)).toThrow(RangeError);
  });

  it.each(roberta.words.map((w) => [JSON.stringify(w.word), w] as const))(
    'encodes the word %s as is_split_into_words does (prefix space)',
    (_name, w) => {
      expect(t.encodeWord(w.word)).toEqual(w.ids_with_prefix_space);
    },
  );

  it.each(roberta.sentences.map((s, i) => [i, s] as const))('encodes sentence %i word by word exactly as the reference', (_i, s) => {
    expect(s.words.map((w) => t.encodeWord(w))).toEqual(s.ids_per_word);
    const enc = t.encodeWords(s.words, { maxLength: 512 });
    expect(enc.inputIds).toEqual(s.input_ids_is_split_into_words);
    expectAligned(t, s.words, 512);
  });

  it('encodes special-token words as their ids, and a word with no piece as <unk>', () => {
    expect(t.encodeWord('<mask>')).toEqual([560]);
    expect(t.encodeWord('<s>')).toEqual([0]);
    expect(t.encodeWord('')).toEqual([3]);
    const enc = t.encodeWords(['The', '', '<mask>']);
    expect(enc.wordRanges).toEqual([[1, 2], [2, 3], [3, 4]]);
  });

  it('applies the too-long policy with the family special tokens in the message', () => {
    const words = Array<string>(40).fill('Washington'); // 5 pieces each
    expect(() => t.encodeWords(words, { documentIndex: 3 })).toThrow(SequenceTooLongError);
    expect(() => t.encodeWords(words, { documentIndex: 3 })).toThrow(/document 3 .*40 words give 202 wordpieces \(with <s> and <\/s>\) .*maximum is 64/);
    const cut = t.encodeWords(words, { onTooLong: 'truncate' });
    expect([cut.inputIds.length, cut.droppedWords, cut.wordRanges.length]).toEqual([62, 28, 12]);
  });

  it('saves tokenizer.json and tokenizer_config.json that load back to the same tokenizer', async () => {
    const files = t.files();
    expect(Object.keys(files).sort()).toEqual(['tokenizer.json', 'tokenizer_config.json']);
    const back = await loadTokenizer({ dir: 'saved', readTextFile: memoryDir(files) });
    expect([back.tokenizer.specialIds, back.tokenizer.maxLength, back.tokenizer.vocabSize]).toEqual([t.specialIds, 64, 561]);
    for (const s of roberta.sentences) expect(back.tokenizer.encodeWords(s.words, { maxLength: 512 })).toEqual(t.encodeWords(s.words, { maxLength: 512 }));
  });

  it('builds the same tokenizer from the slow files vocab.json + merges.txt', async () => {
    const slow = await loadTokenizer({ dir: robertaDir, readTextFile: fixtureWithout('tokenizer.json') });
    expect(slow.vocabFile).toBe('vocab.json');
    expect(slow.tokenizer.specialIds).toEqual(t.specialIds);
    for (const w of roberta.words) expect(slow.tokenizer.encodeWord(w.word)).toEqual(w.ids_with_prefix_space);
    for (const s of roberta.sentences) expect(slow.tokenizer.encodeWords(s.words, { maxLength: 512 }).inputIds).toEqual(s.input_ids_is_split_into_words);
  });
});

describe('HfTokenizer on tiny-deberta-v3 (SentencePiece Unigram, TemplateProcessing)', () => {
  let t: SubwordTokenizer;
  beforeAll(async () => {
    t = (await loadTokenizer({ dir: debertaDir })).tokenizer;
  });

  it('reads [CLS] [SEP] from the template, [PAD] [UNK] [MASK] from tokenizer_config.json', () => {
    expect(t.specialIds).toEqual({ cls: 1, sep: 2, pad: 0, unk: 3, mask: deberta.mask_token_id });
    expect([t.numSpecialTokens, t.vocabSize, t.maxLength]).toEqual([2, 401, 512]);
  });

  const blank = '\u200b';
  it.each(deberta.words.filter((w) => w.word !== blank).map((w) => [JSON.stringify(w.word), w] as const))(
    'encodes the word %s as sentencepiece does (a "▁" before every word)',
    (_name, w) => {
      expect(t.encodeWord(w.word)).toEqual(w.ids);
    },
  );

  it('gives a word that normalizes to nothing no piece, as sentencepiece, hence one [UNK] like BertWordPieceTokenizer', () => {
    // The reference gives [] for a lone zero-width space; @huggingface/tokenizers alone would give '▁' (id 4).
    expect(deberta.words.find((w) => w.word === blank)?.ids).toEqual([]);
    expect(t.encodeWord(blank)).toEqual([t.specialIds.unk]);
    expect(t.encodeWord('\u00a0')).toEqual([t.specialIds.unk]);
    // Not when the word has visible content: the bare '▁' stays a piece of it.
    expect(t.encodeWord('walked')).toEqual([4, 235, 49, 15]);
  });

  it.each(deberta.sentences.map((s, i) => [i, s] as const))('encodes sentence %i word by word exactly as the reference', (_i, s) => {
    expect(s.words.map((w) => t.encodeWord(w))).toEqual(s.ids_per_word);
    expect(t.encodeWords(s.words).inputIds).toEqual(s.input_ids_is_split_into_words);
    expectAligned(t, s.words);
  });

  it('encodes [MASK] and [UNK] words as their ids (as the hidden-states fixture inserts them)', () => {
    expect([t.encodeWord('[MASK]'), t.encodeWord('[UNK]')]).toEqual([[400], [3]]);
  });

  it('refuses an spm.model-only checkpoint, saying tokenizer.json is needed and how to write it', async () => {
    const error = await loadTokenizer({ dir: debertaDir, readTextFile: fixtureWithout('tokenizer.json') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenizerConfigError);
    expect((error as Error).message).toMatch(
      /tiny-deberta-v3\/spm\.model: a SentencePiece model alone cannot be read here; the checkpoint needs a tokenizer\.json.*save_pretrained/,
    );
  });
});

describe('loadTokenizer dispatch and errors', () => {
  it('gives BertWordPieceTokenizer for vocab.txt and BERT tokenizer.json, with the same encodings as before', async () => {
    const dir = sharedPath('fixtures/tiny-bert');
    const { tokenizer, vocabFile, casingSource } = await loadTokenizer({ dir });
    expect(tokenizer).toBeInstanceOf(BertWordPieceTokenizer);
    expect([tokenizer.kind, vocabFile, casingSource, tokenizer.numSpecialTokens, tokenizer.maxLength]).toEqual([
      'bert-wordpiece',
      'vocab.txt',
      'tokenizer_config.json',
      2,
      64,
    ]);
    const vocab = parseVocab(readFileSync(path.join(dir, 'vocab.txt'), 'utf8'));
    const json = JSON.stringify(new BertWordPieceTokenizer({ vocab, lowercase: false }).toTokenizerJson());
    const fromJson = await loadTokenizer({ dir: 'x', readTextFile: memoryDir({ 'tokenizer.json': json }) });
    expect(fromJson.tokenizer).toBeInstanceOf(BertWordPieceTokenizer);
    const words = ['President', 'Washington', 'U.S.', 'Café'];
    expect(fromJson.tokenizer.encodeWords(words)).toEqual(tokenizer.encodeWords(words));
    expectAligned(tokenizer, words);
  });

  it('saves a BERT tokenizer as vocab.txt + tokenizer_config.json that load back identically', async () => {
    const { tokenizer } = await loadTokenizer({ dir: sharedPath('fixtures/tiny-bert') });
    const files = tokenizer.files();
    expect(Object.keys(files).sort()).toEqual(['tokenizer_config.json', 'vocab.txt']);
    const back = await loadTokenizer({ dir: 'saved', readTextFile: memoryDir(files) });
    expect(back.tokenizer).toBeInstanceOf(BertWordPieceTokenizer);
    expect([back.casingSource, back.tokenizer.maxLength, back.tokenizer.specialIds]).toEqual(['tokenizer_config.json', 64, tokenizer.specialIds]);
  });

  it('runs a WordPiece tokenizer.json with non-BERT parts through HfTokenizer', async () => {
    const vocab: Record<string, number> = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, hello: 4, world: 5, '##s': 6 };
    const json = {
      added_tokens: [0, 1, 2, 3].map((id) => ({ id, content: Object.keys(vocab)[id], special: true, normalized: false, lstrip: false, rstrip: false, single_word: false })),
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: { type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] },
      decoder: null,
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
    };
    const { tokenizer } = await loadTokenizer({ dir: 'x', readTextFile: memoryDir({ 'tokenizer.json': JSON.stringify(json), 'tokenizer_config.json': '{"pad_token": "[PAD]"}' }) });
    expect(tokenizer).toBeInstanceOf(HfTokenizer);
    expect(tokenizer.encodeWords(['Hello', 'worlds', 'x']).inputIds).toEqual([2, 4, 5, 6, 1, 3]);
    expect(tokenizer.encodeWords(['Hello', 'worlds', 'x']).wordRanges).toEqual([[1, 2], [2, 4], [4, 5]]);
  });

  it('refuses unknown tokenizer model types, naming the file and the supported ones', async () => {
    const json = JSON.stringify({ model: { type: 'WordLevel', vocab: { a: 0 } } });
    await expect(loadTokenizer({ dir: '/ckpt', readTextFile: memoryDir({ 'tokenizer.json': json }) })).rejects.toThrow(
      /\/ckpt\/tokenizer\.json: model\.type is "WordLevel"; supported tokenizer models are BPE, Unigram, WordPiece/,
    );
    await expect(loadTokenizer({ dir: '/ckpt', readTextFile: memoryDir({ 'tokenizer.json': '{"version": "1.0"}' }) })).rejects.toThrow(
      /\/ckpt\/tokenizer\.json: no "model" object/,
    );
  });

  it('refuses a tokenizer without sentence-start token or padding token, naming what is missing', async () => {
    const json = JSON.parse(readFileSync(path.join(robertaDir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
    const noFraming = JSON.stringify({ ...json, post_processor: { type: 'ByteLevel', trim_offsets: true } });
    await expect(loadTokenizer({ dir: '/r', readTextFile: memoryDir({ 'tokenizer.json': noFraming }) })).rejects.toThrow(
      /\/r\/tokenizer\.json: no sentence-start token: the post_processor adds none and \/r\/tokenizer_config\.json names no cls_token/,
    );
    const endless = JSON.stringify({
      ...json,
      post_processor: { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }], special_tokens: {} },
    });
    await expect(loadTokenizer({ dir: '/r', readTextFile: memoryDir({ 'tokenizer.json': endless }) })).rejects.toThrow(
      /\/r\/tokenizer\.json: no sentence-end token: the post_processor adds none after the words/,
    );
    const config = JSON.stringify({ cls_token: '<s>', sep_token: '</s>', unk_token: '<unk>' });
    await expect(loadTokenizer({ dir: '/r', readTextFile: memoryDir({ 'tokenizer.json': noFraming, 'tokenizer_config.json': config }) })).rejects.toThrow(
      /no padding token/,
    );
    const withPad = JSON.stringify({ cls_token: '<s>', sep_token: '</s>', unk_token: '<unk>', pad_token: '<pad>' });
    const { tokenizer } = await loadTokenizer({ dir: '/r', readTextFile: memoryDir({ 'tokenizer.json': noFraming, 'tokenizer_config.json': withPad }) });
    expect(tokenizer.encodeWords(['Reagan']).inputIds).toEqual([0, 324, 105, 520, 272, 2]);
    const badName = JSON.stringify({ cls_token: '<s>', sep_token: '</s>', unk_token: '<unk>', pad_token: '[PAD]' });
    await expect(loadTokenizer({ dir: '/r', readTextFile: memoryDir({ 'tokenizer.json': noFraming, 'tokenizer_config.json': badName }) })).rejects.toThrow(
      /the padding token "\[PAD\]" is not in the vocabulary/,
    );
  });

  it('keeps the missing-files error', async () => {
    await expect(loadTokenizer({ dir: '/nowhere/ckpt' })).rejects.toThrow(/\/nowhere\/ckpt: neither tokenizer.json nor vocab.txt found/);
  });

  it('lower-cases words first when the lowercase option is given to a tokenizer.json tokenizer', async () => {
    const { tokenizer, casingSource } = await loadTokenizer({ dir: robertaDir, lowercase: true });
    expect(casingSource).toBe('option');
    expect(tokenizer.encodeWord('WALKED')).toEqual(roberta.words.find((w) => w.word === 'walked')?.ids_with_prefix_space);
  });
});
