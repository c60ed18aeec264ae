// A byte-level BPE trainer giving a tokenizer.json in roberta-base's layout.
import { addedToken, byteLevelBpeJson, checkVocabSize, compareStrings, countWords, type TrainedTokenizer, type TrainVocabularyOptions } from './train-common';

/** Options of {@link trainByteLevelBpe}. */
export interface TrainByteLevelBpeOptions extends TrainVocabularyOptions {
  /** Stop merging when the most frequent pair occurs fewer times than this (default 2). */
  minFrequency?: number;
}

/** RoBERTa's special tokens: ids 0..3, then the byte alphabet, the merges and `<mask>` last. */
const SPECIALS = ['<s>', '<pad>', '</s>', '<unk>'] as const;
const MASK = '<mask>';
// The regex of the ByteLevel pre-tokenizer (GPT-2's), so that training sees the pre-tokens encoding sees.
const BYTE_LEVEL_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** GPT-2's bytes_to_unicode: the printable symbol standing for each byte value. */
function byteSymbols(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable(b) ? b : 256 + n++));
  return out;
}

// Pair keys pack two symbol ids into one number (ids stay far below 2^21).
const SHIFT = 2 ** 21;

/**
 * Trains a byte-level BPE (RoBERTa / GPT-2) on word counts and returns its tokenizer.json in the
 * layout of roberta-base (RobertaConverter): `<s>`=0 `<pad>`=1 `</s>`=2 `<unk>`=3, the 256 byte
 * symbols of bytes_to_unicode by byte value (ids 4..259), one symbol per learned merge, `<mask>`
 * last (lstrip); ByteLevel pre-tokenizer and decoder, RobertaProcessing. Each word is seen as
 * preceded by a space (`Ġ`), as HfTokenizer encodes words (is_split_into_words), and split with the
 * ByteLevel regex. Merging is plain greedy: the most frequent adjacent pair (counts weighted by word
 * frequency) is merged everywhere, ties going to the smaller left symbol, then the smaller right
 * symbol, in code-unit order; it stops at `vocabSize` ids or when the best pair occurs fewer than
 * `minFrequency` times. Deterministic, and independent of the order of `words`.
 */
export function trainByteLevelBpe(o: TrainByteLevelBpeOptions): TrainedTokenizer {
  checkVocabSize(o.vocabSize, SPECIALS.length + 256 + 1, '4 special tokens, 256 byte symbols and <mask>');
  const minFrequency = o.minFrequency ?? 2;
  const lowercase = o.lowercase ?? false;
  const bytes = byteSymbols();
  const vocab: string[] = [...SPECIALS, ...bytes];
  const encoder = new TextEncoder();

  // Pre-token counts: what the ByteLevel pre-tokenizer makes of " " + word.
  const pretokens = new Map<string, number>();
  for (const [word, count] of countWords(o, lowercase)) {
    for (const piece of ` ${word}`.match(BYTE_LEVEL_PATTERN) ?? []) pretokens.set(piece, (pretokens.get(piece) ?? 0) + count);
  }
  const words = [...pretokens].sort(([a], [b]) => compareStrings(a, b)).map(([text, count]) => ({
    symbols: Array.from(encoder.encode(text), (b) => b + SPECIALS.length),
    count,
  }));

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: 1 | -1, changed: Map<number, number>) => {
    const { symbols, count } = words[wi];
    for (let i = 0; i + 1 < symbols.length; i++) {
      const key = symbols[i] * SHIFT + symbols[i + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * count);
      changed.set(key, (changed.get(key) ?? 0) + sign * count);
      if (sign > 0) {
        let set = pairWords.get(key);
        if (!set) pairWords.set(key, (set = new Set()));
        set.add(wi);
      }
    }
  };
  words.forEach((_, wi) => addPairs(wi, 1, new Map()));

  // A lazy max-heap of (count, pair): stale entries are re-checked against pairCounts when popped.
  const heap: Array<[number, number]> = [];
  const before = (a: [number, number], b: [number, number]): boolean => {
    if (a[0] !== b[0]) return a[0] > b[0];
    const l = compareStrings(vocab[Math.floor(a[1] / SHIFT)], vocab[Math.floor(b[1] / SHIFT)]);
    if (l !== 0) return l < 0;
    return compareStrings(vocab[a[1] % SHIFT], vocab[b[1] % SHIFT]) < 0;
  };
  const push = (e: [number, number]) => {
    heap.push(e);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(heap[i], heap[p])) break;
      [heap[i], heap[p]] = [heap[p], heap[i]];
      i = p;
    }
  };
  const pop = (): [number, number] | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l], heap[m])) m = l;
        if (r < heap.length && before(heap[r], heap[m])) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m], heap[i]];
        i = m;
      }
    }
    return top;
  };
  for (const [key, count] of pairCounts) if (count > 0) push([count, key]);

  const merges: string[] = [];
  const maxSymbols = o.vocabSize - 1; // room for <mask>
  while (vocab.length < maxSymbols) {
    const top = pop();
    if (!top) break;
    const [count, key] = top;
    const current = pairCounts.get(key) ?? 0;
    if (current !== count) {
      if (current > 0) push([current, key]);
      continue;
    }
    if (count < Math.max(1, minFrequency)) break;
    const left = Math.floor(key / SHIFT);
    const right = key % SHIFT;
    const merged = vocab.length;
    vocab.push(vocab[left] + vocab[right]);
    merges.push(`${vocab[left]} ${vocab[right]}`);
    const changed = new Map<number, number>();
    for (const wi of pairWords.get(key) ?? []) {
      const { symbols } = words[wi];
      let has = false;
      for (let i = 0; i + 1 < symbols.length; i++) if (symbols[i] === left && symbols[i + 1] === right) has = true;
      if (!has) continue;
      addPairs(wi, -1, changed);
      const next: number[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === left && symbols[i + 1] === right) {
          next.push(merged);
          i++;
        } else next.push(symbols[i]);
      }
      words[wi].symbols = next;
      addPairs(wi, 1, changed);
    }
    pairWords.delete(key);
    for (const [k, delta] of changed) if (delta > 0) push([pairCounts.get(k) ?? 0, k]);
  }
  vocab.push(MASK);

  const ids: Record<string, number> = {};
  vocab.forEach((t, id) => (ids[t] = id));
  const maskId = vocab.length - 1;
  return {
    tokenizerJson: byteLevelBpeJson({
      vocab: ids,
      merges,
      addedTokens: [...SPECIALS.map((t, id) => addedToken(id, t)), addedToken(maskId, MASK, true)],
      cls: ['<s>', 0],
      sep: ['</s>', 2],
      addPrefixSpace: false,
      lowercase,
    }),
    tokenizerConfig: {
      tokenizer_class: 'RobertaTokenizer',
      add_prefix_space: false,
      ...(o.maxLength === undefined ? {} : { model_max_length: o.maxLength }),
      bos_token: '<s>',
      eos_token: '</s>',
      sep_token: '</s>',
      cls_token: '<s>',
      unk_token: '<unk>',
      pad_token: '<pad>',
      mask_token: MASK,
      errors: 'replace',
      trim_offsets: true,
    },
  };
}
