// Fuzzing of the tokenizer files a checkpoint brings (vocab.txt; tokenizer.json with WordPiece,
// BPE and Unigram models): loading and then tokenizing must give a result or a clear error
// naming the file. tools/testing/fuzz.ts explains the harness.
import { runFuzzTarget } from '../../../tools/testing/fuzz';
import { loadTokenizer } from './load-tokenizer';

const WORDS = ['Hello', 'world', ',', 'naïve', 'Zürich', '東京', 'x'.repeat(120), '\u200b', '[CLS]', 'tokenization'];

/** Loads a tokenizer from one in-memory file and encodes words with it. */
async function loadAndEncode(file: string, bytes: Uint8Array): Promise<number> {
  const text = new TextDecoder().decode(bytes);
  const { tokenizer } = await loadTokenizer({ dir: '/model', readTextFile: async (f) => (f === `/model/${file}` ? text : undefined) });
  return tokenizer.encodeWords(WORDS).inputIds.length;
}

describe('fuzzing the tokenizer files (fast-check, mutated fixtures)', () => {
  it('vocab.txt', async () => {
    await runFuzzTarget({ name: 'vocab', source: 'vocab.txt', runs: 400, read: (b) => loadAndEncode('vocab.txt', b) });
  });
  it('tokenizer.json (WordPiece, BPE, Unigram)', async () => {
    await runFuzzTarget({ name: 'tokenizer-json', source: 'tokenizer.json', runs: 400, read: (b) => loadAndEncode('tokenizer.json', b) });
  });
});
