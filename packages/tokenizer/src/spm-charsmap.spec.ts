import { readFileSync } from 'node:fs';
import { PrecompiledNormalizer } from '@huggingface/tokenizers';
import { sharedPath } from '../../../tools/testing/shared';
import { TokenizerConfigError } from './errors';
import { loadTokenizer } from './load-tokenizer';
import { PrecompiledCharsMap } from './spm-charsmap';

interface NormalizerJson {
  normalizer: { normalizers: Array<{ type: string; precompiled_charsmap?: string }> };
}

const dir = sharedPath('fixtures/tiny-deberta-v3');
const json = JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')) as NormalizerJson;
const precompiled = json.normalizer.normalizers.find((n) => n.type === 'Precompiled');
const charsmap = precompiled?.precompiled_charsmap ?? '';

describe('PrecompiledCharsMap (the nmt_nfkc rules of tiny-deberta-v3/spm.model)', () => {
  const map = new PrecompiledCharsMap(charsmap, 'tiny-deberta-v3 charsmap');

  it('applies the compatibility rules of the charsmap', () => {
    expect(map.normalize('ＡＢＣ１２３')).toBe('ABC123');
    expect(map.normalize('ﬁ')).toBe('fi');
    expect(map.normalize('ｶ')).toBe('カ');
    expect(map.normalize('Ⅳ')).toBe('IV');
    expect(map.normalize('½')).toBe('1\u20442');
    expect(map.normalize('tab\there\u200bzero')).toBe('tab here zero');
  });

  it('leaves text without rules unchanged, astral characters included', () => {
    for (const s of ['Reagan met Gorbachev', 'Café naïve', '北京', '😀', '']) expect(map.normalize(s)).toBe(s);
  });

  it("keeps a zero-width joiner, which the library's NFKC approximation turns into a space", () => {
    expect(map.normalize('\u200d')).toBe('\u200d');
    expect(new PrecompiledNormalizer({ type: 'Precompiled', precompiled_charsmap: charsmap }).normalize('\u200d')).toBe(' ');
  });

  it('treats an empty charsmap as no rules and rejects a truncated one, naming it', () => {
    expect(new PrecompiledCharsMap('').normalize('ＡＢＣ')).toBe('ＡＢＣ');
    expect(() => new PrecompiledCharsMap(Buffer.from([255, 255, 0, 0, 1]).toString('base64'), 'x.json normalizer')).toThrow(TokenizerConfigError);
    expect(() => new PrecompiledCharsMap(Buffer.from([255, 255, 0, 0, 1]).toString('base64'), 'x.json normalizer')).toThrow(/x\.json normalizer: trie size/);
  });

  it('is what HfTokenizer uses: an emoji family (ZWJ sequence) stays one word, one fused unknown piece', async () => {
    const { tokenizer } = await loadTokenizer({ dir });
    // '▁' + one [UNK] for the unknown run; the library's own normalizer would split at each ZWJ.
    expect(tokenizer.encodeWord('\u{1F468}\u200d\u{1F469}\u200d\u{1F467}')).toEqual([4, 3]);
  });
});
