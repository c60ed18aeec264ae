import { readFileSync } from 'node:fs';
import { sharedPath } from '../testing/shared';
import { datasetWords, runBuildVocab } from './run-build-vocab';

describe('runBuildVocab', () => {
  it('writes the spert-scratch-conll04 vocabulary from CoNLL04 train', async () => {
    const written = new Map<string, string>();
    const r = await runBuildVocab({
      files: [sharedPath('datasets/conll04/conll04_train.json')],
      out: '/mem/vocab.txt',
      writeFile: async (p, d) => void written.set(p, d),
    });
    expect(r).toEqual({ size: 6800, words: 26525, documents: 922 });
    expect(written.get('/mem/vocab.txt')).toBe(readFileSync(sharedPath('fixtures/spert-scratch-conll04/vocab.txt'), 'utf8'));
  });

  it('passes the size, frequency, casing and special-token options through', async () => {
    const files: Record<string, string> = { 'a.json': JSON.stringify([{ tokens: ['Bb', 'Bb', 'a'] }, { tokens: ['Cc'] }]) };
    let out = '';
    await runBuildVocab({
      files: ['a.json'],
      out: 'v.txt',
      lowercase: true,
      minFrequency: 2,
      specialTokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'],
      readFile: async (p) => files[p],
      writeFile: async (_p, d) => void (out = d),
    });
    expect(out.split('\n')).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', 'b', 'c', '##a', '##b', '##c', 'bb', '']);
  });

  it('names the file, document and field of bad input', async () => {
    expect(() => [...datasetWords({}, 'x.json')]).toThrow('x.json: the root must be an array of documents');
    expect(() => [...datasetWords([{ tokens: ['a'] }, { text: 'b' }], 'x.json')]).toThrow('x.json: document 1: field "tokens" must be an array of strings');
    expect(() => [...datasetWords([{ tokens: ['a', 2] }], 'x.json')]).toThrow('x.json: document 0: tokens[1] must be a string, got number');
    await expect(runBuildVocab({ files: ['/nope.json'], out: 'v.txt' })).rejects.toThrow(/\/nope.json: cannot read the dataset/);
    await expect(runBuildVocab({ files: [], out: 'v.txt' })).rejects.toThrow('no dataset files given');
  });
});
