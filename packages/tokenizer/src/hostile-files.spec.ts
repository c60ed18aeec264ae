// Regression tests for what fuzzing the tokenizer files found (docs/robustness.md).
import { loadTokenizer } from './load-tokenizer';
import { splitWords } from './split-words';

const only = (name: string, text: string) => async (f: string) => (f === `/m/${name}` ? text : undefined);

describe('hostile tokenizer files', () => {
  it('deeply nested tokenizer.json is refused with a message (was a stack overflow in the pre-tokenizer walk)', async () => {
    const deep = `{"model":{"type":"BPE","vocab":{},"merges":[]},"pre_tokenizer":${'{"type":"Sequence","pretokenizers":['.repeat(20_000)}${']}'.repeat(20_000)}}`;
    await expect(loadTokenizer({ dir: '/m', readTextFile: only('tokenizer.json', deep) })).rejects.toThrow(/\/m\/tokenizer\.json: invalid JSON \(nested deeper than 100 levels/);
  });
  it('a vocab.txt without the special tokens names the file (the message did not say which file)', async () => {
    await expect(loadTokenizer({ dir: '/m', readTextFile: only('vocab.txt', 'a\nb\n') })).rejects.toThrow(/^\/m\/vocab\.txt: the vocabulary has no cls token "\[CLS\]"/);
  });
});

describe('splitWords on long texts', () => {
  it('splits a long text piecewise with the same words as sentence by sentence (Intl.Segmenter was quadratic: a 200 kB text took minutes)', () => {
    const sentences = Array.from({ length: 300 }, (_, i) => `Dr. Smith's co-operation (No. ${i}) -- in the U.S. -- wasn't "enough"... 東京 ${'x'.repeat(i % 7)}!`);
    const whole = splitWords(sentences.join(' '));
    const each = sentences.map((s) => splitWords(s).map((w) => w.text)).flat();
    expect(sentences.join(' ').length).toBeGreaterThan(3 * 2048);
    expect(whole.map((w) => w.text)).toEqual(each);
    const t0 = Date.now();
    expect(splitWords('['.repeat(20_000) + ']'.repeat(20_000))).toHaveLength(40_000);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it('finds e-mail addresses and URLs in linear time', () => {
    const n = 100_000;
    const hostile = ['@'.repeat(n), 'a@'.repeat(n / 2), 'a@b.'.repeat(n / 4), 'a.'.repeat(n / 2) + '@x.com', 'http://'.repeat(n / 7), 'www.'.repeat(n / 4), `http://x.y/${')'.repeat(n)}`, `http://x.y/${'('.repeat(n / 2)}${')'.repeat(n / 2)}`];
    const t0 = Date.now();
    const counts = hostile.map((text) => splitWords(text).length);
    expect(counts).toEqual([n, n, n / 4 + 2, 3, 1, 2, n + 1, 1]);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
