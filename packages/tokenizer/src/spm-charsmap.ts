import { PrecompiledNormalizer } from '@huggingface/tokenizers';
import { TokenizerConfigError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Byte length of the UTF-8 sequence a lead byte starts (TextEncoder output is always well formed). */
function utf8Length(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

/**
 * SentencePiece's precompiled normalization rules (a tokenizer.json Precompiled normalizer's
 * `precompiled_charsmap`: a darts-clone double-array trie over UTF-8 bytes plus the replacement
 * strings), applied as sentencepiece's Normalizer does: at each position the longest matching
 * rule, else one character unchanged.
 */
export class PrecompiledCharsMap {
  private readonly units: Uint32Array;
  private readonly replacements: Uint8Array;

  constructor(base64: string, source = 'precompiled_charsmap') {
    const blob = Buffer.from(base64, 'base64');
    if (blob.length === 0) {
      // An empty charsmap is "no rules" (sentencepiece's identity normalizer).
      this.units = new Uint32Array(0);
      this.replacements = new Uint8Array(0);
      return;
    }
    if (blob.length < 4) throw new TokenizerConfigError(`${source}: too short for a precompiled charsmap (${blob.length} bytes)`);
    // Layout: <trie size, uint32 LE><double-array units, uint32 LE each><NUL-terminated replacements>.
    const trieSize = blob.readUInt32LE(0);
    if (trieSize % 4 !== 0 || 4 + trieSize > blob.length) {
      throw new TokenizerConfigError(`${source}: trie size ${trieSize} does not fit the ${blob.length}-byte charsmap`);
    }
    this.units = new Uint32Array(trieSize / 4);
    for (let i = 0; i < this.units.length; i++) this.units[i] = blob.readUInt32LE(4 + 4 * i);
    this.replacements = new Uint8Array(blob.subarray(4 + trieSize));
  }

  /** The text with every rule applied (sentencepiece's NormalizePrefix, repeated). */
  normalize(text: string): string {
    const bytes = encoder.encode(text);
    const out: number[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      const match = this.longestMatch(bytes, pos);
      if (match) {
        for (let i = match.value; i < this.replacements.length && this.replacements[i] !== 0; i++) out.push(this.replacements[i]);
        pos += match.length;
      } else {
        const end = Math.min(bytes.length, pos + utf8Length(bytes[pos]));
        for (; pos < end; pos++) out.push(bytes[pos]);
      }
    }
    return decoder.decode(Uint8Array.from(out));
  }

  // darts-clone commonPrefixSearch, keeping the longest hit (unit layout: label in bits 0-7 and 31,
  // has-leaf bit 8, offset in bits 10-31 scaled by bit 9; a leaf unit's value in bits 0-30).
  private longestMatch(bytes: Uint8Array, start: number): { length: number; value: number } | undefined {
    const units = this.units;
    if (units.length === 0) return undefined;
    const offset = (unit: number) => (unit >>> 10) << ((unit & 0x200) >>> 6);
    let node = offset(units[0]);
    let best: { length: number; value: number } | undefined;
    for (let i = start; i < bytes.length; i++) {
      const c = bytes[i];
      node ^= c;
      if (node >= units.length) break;
      const unit = units[node];
      if ((unit & 0x800000ff) >>> 0 !== c) break;
      node ^= offset(unit);
      if ((unit >>> 8) & 1) {
        if (node >= units.length) break;
        best = { length: i - start + 1, value: units[node] & 0x7fffffff };
      }
    }
    return best;
  }
}

/**
 * A Precompiled normalizer that applies the charsmap itself; @huggingface/tokenizers' own one
 * approximates it with NFKC and fixed replacements (it maps a zero-width space to a space, where
 * nmt_nfkc removes it).
 */
export class CharsMapNormalizer extends PrecompiledNormalizer {
  private readonly map: PrecompiledCharsMap;

  constructor(config: ConstructorParameters<typeof PrecompiledNormalizer>[0], source?: string) {
    super(config);
    const charsmap: unknown = config.precompiled_charsmap;
    if (charsmap !== null && charsmap !== undefined && typeof charsmap !== 'string') {
      throw new TokenizerConfigError(`${source ?? 'tokenizer.json'}: the Precompiled normalizer's precompiled_charsmap must be a base64 string`);
    }
    this.map = new PrecompiledCharsMap(charsmap ?? '', source);
  }

  /** The text with the charsmap's rules applied. */
  override normalize(text: string): string {
    return this.map.normalize(text);
  }
}
