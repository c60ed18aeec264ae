import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { BertWordPieceTokenizer } from './bert-tokenizer';
import { TokenizerConfigError } from './errors';
import { loadBertTokenizer, looksUncased } from './load-tokenizer';
import { formatVocab, parseVocab } from './vocab-file';

const tinyDir = sharedPath('fixtures/tiny-bert');
const tinyVocab = parseVocab(readFileSync(path.join(tinyDir, 'vocab.txt'), 'utf8'));

/** An in-memory checkpoint directory for the injectable reader. */
function memoryDir(files: Record<string, string>) {
  return async (file: string) => files[path.basename(file)];
}

describe('loadBertTokenizer (the BERT WordPiece path of loadTokenizer)', () => {
  it('loads the tiny-bert checkpoint (vocab.txt, cased from tokenizer_config.json, max length from config.json)', async () => {
    const { tokenizer, casingSource, vocabFile } = await loadBertTokenizer({ dir: tinyDir });
    expect(casingSource).toBe('tokenizer_config.json');
    expect(vocabFile).toBe('vocab.txt');
    expect(tokenizer.lowercase).toBe(false);
    expect(tokenizer.maxLength).toBe(64);
    expect(tokenizer.vocabSize).toBe(540);
    expect(tokenizer.tokenize('Washington')).toEqual(['Washington']);
  });

  it("takes the encoder's longest input from the caller (its family's), under the maxLength option", async () => {
    expect((await loadBertTokenizer({ dir: tinyDir, encoderMaxLength: 32 })).tokenizer.maxLength).toBe(32);
    expect((await loadBertTokenizer({ dir: tinyDir, encoderMaxLength: 32, maxLength: 48 })).tokenizer.maxLength).toBe(48);
  });

  it('lets the lowercase option override the checkpoint, like --lowercase', async () => {
    const { tokenizer, casingSource } = await loadBertTokenizer({ dir: tinyDir, lowercase: true, maxLength: 512 });
    expect(casingSource).toBe('option');
    expect(tokenizer.tokenize('Café')).toEqual(['c', '##a', '##f', '##e']);
    expect(tokenizer.maxLength).toBe(512);
  });

  it('falls back to config.json, then to the vocabulary content, for casing', async () => {
    const vocab = formatVocab(tinyVocab);
    const a = await loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'vocab.txt': vocab, 'config.json': '{"do_lower_case": true}' }) });
    expect([a.casingSource, a.tokenizer.lowercase]).toEqual(['config.json', true]);
    const b = await loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'vocab.txt': vocab }) });
    expect([b.casingSource, b.tokenizer.lowercase]).toEqual(['vocabulary', false]);
    const lower = formatVocab(tinyVocab.map((t) => (/^\[.*\]$/.test(t) ? t : t.toLowerCase())));
    const c = await loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'vocab.txt': lower }) });
    expect([c.casingSource, c.tokenizer.lowercase, c.tokenizer.stripAccents]).toEqual(['vocabulary', true, true]);
    expect(c.tokenizer.maxLength).toBe(512);
  });

  it('reads special tokens and strip_accents from tokenizer_config.json', async () => {
    const vocab = formatVocab(['<pad>', '<unk>', '<cls>', '<sep>', 'e', '##e', 'é']);
    const config = JSON.stringify({
      do_lower_case: true,
      strip_accents: false,
      pad_token: '<pad>',
      unk_token: { content: '<unk>' },
      cls_token: '<cls>',
      sep_token: '<sep>',
    });
    const { tokenizer } = await loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'vocab.txt': vocab, 'tokenizer_config.json': config }) });
    expect(tokenizer.specialIds).toEqual({ pad: 0, unk: 1, cls: 2, sep: 3, mask: undefined });
    expect(tokenizer.tokenize('É')).toEqual(['é']);
    expect(tokenizer.encodeWords(['ÉE', 'ÉA']).inputIds).toEqual([2, 6, 5, 1, 3]);
  });

  it('loads a tokenizer.json (round trip of toTokenizerJson) with the same behaviour', async () => {
    const original = new BertWordPieceTokenizer({ vocab: tinyVocab, lowercase: true });
    const json = JSON.stringify(original.toTokenizerJson());
    const { tokenizer, vocabFile, casingSource } = await loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'tokenizer.json': json }) });
    expect([vocabFile, casingSource]).toEqual(['tokenizer.json', 'tokenizer.json']);
    expect(tokenizer.getVocab()).toEqual(tinyVocab);
    for (const w of ['Café', 'ÅÄÖ', 'Washington', 'U.S.', '[SEP]']) expect(tokenizer.tokenize(w)).toEqual(original.tokenize(w));
    // The override still strips accents, since the saved strip_accents is null (follow lowercase).
    const cased = await loadBertTokenizer({ dir: 'x', lowercase: false, readTextFile: memoryDir({ 'tokenizer.json': json }) });
    expect(cased.tokenizer.tokenize('Washington')).toEqual(['Washington']);
  });

  it('round-trips vocab.txt + toTokenizerConfig(), keeping the settings and the override semantics', async () => {
    const original = new BertWordPieceTokenizer({ vocab: tinyVocab, lowercase: false, maxLength: 128 });
    const files = { 'vocab.txt': formatVocab(original.getVocab()), 'tokenizer_config.json': JSON.stringify(original.toTokenizerConfig()) };
    const { tokenizer } = await loadBertTokenizer({ dir: 'x', readTextFile: memoryDir(files) });
    expect([tokenizer.lowercase, tokenizer.stripAccents, tokenizer.maxLength, tokenizer.specialIds]).toEqual([
      false,
      false,
      128,
      original.specialIds,
    ]);
    const overridden = await loadBertTokenizer({ dir: 'x', lowercase: true, readTextFile: memoryDir(files) });
    expect(overridden.tokenizer.tokenize('Café')).toEqual(['c', '##a', '##f', '##e']);
  });

  it('gives clear errors for missing or unsupported files', async () => {
    await expect(loadBertTokenizer({ dir: '/nowhere/ckpt' })).rejects.toThrow(/\/nowhere\/ckpt: neither tokenizer.json nor vocab.txt/);
    const bpe = JSON.stringify({ model: { type: 'BPE', vocab: {} } });
    await expect(loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'tokenizer.json': bpe }) })).rejects.toThrow(
      /x\/tokenizer.json: not a BERT WordPiece tokenizer \(model "BPE"\); use loadTokenizer/,
    );
    const gap = JSON.stringify({ model: { type: 'WordPiece', vocab: { '[PAD]': 0, '[UNK]': 2 } } });
    await expect(loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'tokenizer.json': gap }) })).rejects.toThrow(/no token with id 1/);
    await expect(
      loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'vocab.txt': formatVocab(tinyVocab), 'tokenizer_config.json': '{"do_lower_case": "yes"}' }) }),
    ).rejects.toThrow(/tokenizer_config.json: field "do_lower_case" must be a boolean/);
    await expect(loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'vocab.txt': formatVocab(tinyVocab), 'config.json': '{' }) })).rejects.toThrow(
      TokenizerConfigError,
    );
  });

  it('needs lower-casing for an uncased vocabulary: the override to cased loses capitalised words', async () => {
    const lower = formatVocab(tinyVocab.map((t) => (/^\[.*\]$/.test(t) ? t : t.toLowerCase())));
    const uncased = await loadBertTokenizer({ dir: 'x', readTextFile: memoryDir({ 'vocab.txt': lower }) });
    const forcedCased = await loadBertTokenizer({ dir: 'x', lowercase: false, readTextFile: memoryDir({ 'vocab.txt': lower }) });
    expect(uncased.tokenizer.tokenize('President Café')).toEqual(['president', 'c', '##a', '##f', '##e']);
    expect(forcedCased.tokenizer.tokenize('President Café')).toEqual(['[UNK]', '[UNK]']);
    // And a cased vocabulary read as uncased loses the capitalised whole-word entries.
    const casedAsUncased = await loadBertTokenizer({ dir: tinyDir, lowercase: true });
    expect(casedAsUncased.tokenizer.tokenize('Washington')).toEqual(['was', '##h', '##ing', '##t', '##o', '##n']);
  });

  it('recognises uncased vocabularies', () => {
    expect(looksUncased(tinyVocab)).toBe(false);
    expect(looksUncased(['[PAD]', '[UNK]', 'the', '##s'])).toBe(true);
    expect(looksUncased(['[PAD]', 'The'])).toBe(false);
  });
});
