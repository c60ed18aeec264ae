// A SentencePiece-style Unigram trainer giving a tokenizer.json in microsoft/deberta-v3's layout.
import { TokenizerConfigError } from './errors';
import { addedToken, checkVocabSize, compareStrings, countWords, type TrainedTokenizer, type TrainVocabularyOptions } from './train-common';

/** Options of {@link trainUnigram}. */
export interface TrainUnigramOptions extends TrainVocabularyOptions {
  /** Longest piece in code points (default 16, SentencePiece's max_sentencepiece_length). */
  maxPieceLength?: number;
  /** Most seed pieces (default 1,000,000, SentencePiece's seed_sentencepiece_size). */
  seedSize?: number;
  /** Share of pieces kept by each pruning round (default 0.75, SentencePiece's shrinking_factor). */
  shrinkingFactor?: number;
  /** EM iterations between prunings (default 2, SentencePiece's num_sub_iterations). */
  subIterations?: number;
}

const SPECIALS = ['[PAD]', '[CLS]', '[SEP]', '[UNK]'] as const;
const MASK = '[MASK]';
const UNK_ID = 3;
const METASPACE = '\u2581';
// SentencePiece's constants: M-step drop threshold, unknown-character penalty, final score step for required characters.
const EXPECTED_FREQUENCY_THRESHOLD = 0.5;
const UNK_PENALTY = 10;
const MIN_SCORE_PENALTY_DELTA = 0.0001;

/** SentencePiece's Digamma (recurrence to x >= 7, then the asymptotic series). */
function digamma(x: number): number {
  let result = 0;
  for (; x < 7; ++x) result -= 1 / x;
  x -= 0.5;
  const xx = 1 / x;
  const xx2 = xx * xx;
  const xx4 = xx2 * xx2;
  return result + Math.log(x) + xx2 / 24 - (7 / 960) * xx4 + (31 / 8064) * xx4 * xx2 - (127 / 30720) * xx4 * xx4;
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** One lattice edge: code points [start, end) are piece `id` (-1: an unknown character). */
interface Edge {
  start: number;
  end: number;
  id: number;
}

interface Sentence {
  chars: string[];
  count: number;
}

/** Pieces with their log-probabilities, and the lookup the lattices use. */
class PieceSet {
  readonly index = new Map<string, number>();
  readonly minScore: number;
  constructor(
    readonly pieces: string[],
    readonly scores: number[],
  ) {
    pieces.forEach((p, i) => this.index.set(p, i));
    // A loop, not Math.min(...scores): seed sets can exceed the engine's argument limit.
    let min = Infinity;
    for (const s of scores) if (s < min) min = s;
    this.minScore = min;
  }

  score(id: number): number {
    return id < 0 ? this.minScore - UNK_PENALTY : this.scores[id];
  }

  /** Edges ending at each position 1..n, as SentencePiece's lattice (an unknown node where no single-character piece exists). */
  lattice(chars: readonly string[], maxLen: number, skipWhole = false): Edge[][] {
    const n = chars.length;
    const ending: Edge[][] = Array.from({ length: n + 1 }, () => []);
    for (let start = 0; start < n; start++) {
      let s = '';
      let single = false;
      for (let end = start + 1; end <= Math.min(n, start + maxLen); end++) {
        s += chars[end - 1];
        const id = this.index.get(s);
        if (id === undefined || (skipWhole && start === 0 && end === n)) continue;
        if (end === start + 1) single = true;
        ending[end].push({ start, end, id });
      }
      if (!single) ending[start + 1].push({ start, end: start + 1, id: -1 });
    }
    return ending;
  }

  /** Best segmentation (Viterbi) and its score; ties keep the edge found first (shorter pieces, earlier starts). */
  viterbi(chars: readonly string[], maxLen: number, skipWhole = false): { ids: number[]; score: number } {
    const ending = this.lattice(chars, maxLen, skipWhole);
    const n = chars.length;
    const best = new Array<number>(n + 1).fill(-Infinity);
    const back = new Array<Edge | undefined>(n + 1);
    best[0] = 0;
    for (let end = 1; end <= n; end++) {
      for (const e of ending[end]) {
        const s = best[e.start] + this.score(e.id);
        if (s > best[end]) [best[end], back[end]] = [s, e];
      }
    }
    const ids: number[] = [];
    for (let pos = n; pos > 0; ) {
      const e = back[pos] as Edge;
      ids.push(e.id);
      pos = e.start;
    }
    return { ids: ids.reverse(), score: best[n] };
  }
}

/** E-step: expected piece counts by forward-backward over every sentence's lattice. */
function expectedCounts(set: PieceSet, sentences: readonly Sentence[], maxLen: number): number[] {
  const expected = new Array<number>(set.pieces.length).fill(0);
  for (const { chars, count } of sentences) {
    const ending = set.lattice(chars, maxLen);
    const n = chars.length;
    const alpha = new Array<number>(n + 1).fill(-Infinity);
    const beta = new Array<number>(n + 1).fill(-Infinity);
    alpha[0] = 0;
    for (let end = 1; end <= n; end++) for (const e of ending[end]) alpha[end] = logAddExp(alpha[end], alpha[e.start] + set.score(e.id));
    beta[n] = 0;
    for (let end = n; end >= 1; end--) for (const e of ending[end]) beta[e.start] = logAddExp(beta[e.start], beta[end] + set.score(e.id));
    const z = alpha[n];
    for (let end = 1; end <= n; end++) {
      for (const e of ending[end]) {
        if (e.id >= 0) expected[e.id] += count * Math.exp(alpha[e.start] + set.score(e.id) + beta[end] - z);
      }
    }
  }
  return expected;
}

/** M-step: drops pieces expected fewer than 0.5 times, scores the rest digamma(count) - digamma(total), as SentencePiece. */
function maximize(set: PieceSet, expected: readonly number[]): PieceSet {
  const keep = set.pieces.map((_, i) => i).filter((i) => expected[i] >= EXPECTED_FREQUENCY_THRESHOLD);
  const logSum = digamma(keep.reduce((s, i) => s + expected[i], 0));
  return new PieceSet(
    keep.map((i) => set.pieces[i]),
    keep.map((i) => digamma(expected[i]) - logSum),
  );
}

/**
 * SentencePiece's PruneSentencePieces: a piece whose best segmentation is not itself goes; one
 * with no alternative segmentation stays; the others are ranked by how much the Viterbi
 * likelihood drops when their count moves to their second-best segmentation, and the best
 * max(desired, shrink * size) are kept.
 */
function prune(set: PieceSet, sentences: readonly Sentence[], maxLen: number, desired: number, shrink: number): PieceSet {
  const freq = new Array<number>(set.pieces.length).fill(0);
  let vsum = 0;
  for (const { chars, count } of sentences) {
    vsum += count;
    for (const id of set.viterbi(chars, maxLen).ids) if (id >= 0) freq[id] += count;
  }
  const sum = freq.reduce((a, b) => a + b, 0);
  const logSum = Math.log(sum);
  const kept: number[] = [];
  const candidates: Array<[number, number]> = [];
  set.pieces.forEach((piece, i) => {
    if (freq[i] === 0) return;
    const chars = Array.from(piece);
    if (chars.length === 1) return void kept.push(i);
    const alt = set.viterbi(chars, maxLen, true);
    if (alt.score > set.scores[i]) return; // never used as itself
    if (alt.ids.some((id) => id < 0)) return void kept.push(i);
    const f = freq[i] / vsum;
    const logProb = Math.log(freq[i]) - logSum;
    const logSumAlt = Math.log(sum + freq[i] * (alt.ids.length - 1));
    let logProbAlt = 0;
    for (const n of alt.ids) logProbAlt += Math.log(freq[n] + freq[i]) - logSumAlt;
    candidates.push([i, f * (logProb - logProbAlt)]);
  });
  candidates.sort((a, b) => b[1] - a[1] || compareStrings(set.pieces[a[0]], set.pieces[b[0]]));
  const target = Math.max(desired, Math.floor(shrink * set.pieces.length));
  for (const [i] of candidates) {
    if (kept.length >= target) break;
    kept.push(i);
  }
  kept.sort((a, b) => a - b);
  return new PieceSet(
    kept.map((i) => set.pieces[i]),
    kept.map((i) => set.scores[i]),
  );
}

/** The word as HfTokenizer's Metaspace pre-tokenizer sees it: spaces as '▁', '▁' prepended unless present. */
function metaspaced(word: string): string {
  const s = word.replaceAll(' ', METASPACE);
  return s.startsWith(METASPACE) ? s : METASPACE + s;
}

/**
 * Trains a SentencePiece Unigram model on word counts and returns its tokenizer.json in the layout
 * of microsoft/deberta-v3-*: `[PAD]`=0 `[CLS]`=1 `[SEP]`=2 `[UNK]`=3 (score 0), the pieces by
 * score, `[MASK]` last; Metaspace `▁` pre-tokenizer and decoder (prepend_scheme always),
 * `[CLS] A [SEP]` template. `vocabSize` counts every id, specials and `[MASK]` included.
 *
 * The variant, SentencePiece's unigram trainer (trainer_interface + unigram_model_trainer) on one
 * sentence per distinct word, `▁` + word (how HfTokenizer encodes a word):
 * - seeds: every character, plus every substring of 2..maxPieceLength code points that occurs at
 *   least twice (counts weighted by word frequency; `▁` only as the first character), the
 *   `seedSize` best by frequency x length; initial scores log(frequency x length / total);
 * - EM: `subIterations` rounds of E-step (expected counts by forward-backward over the lattice)
 *   and M-step (pieces expected < 0.5 times dropped, score = digamma(count) - digamma(total));
 * - pruning (as PruneSentencePieces): pieces never used as themselves in their own Viterbi
 *   segmentation go, the others are ranked by the Viterbi likelihood loss of replacing them by
 *   their second-best segmentation; each round keeps max(1.1 x target, shrinkingFactor x size),
 *   until 1.1 x target pieces remain;
 * - finalization: every character of the training words is kept (character_coverage 1; one
 *   missing from the pieces gets the lowest score minus 0.0001 per character), then the
 *   best-scored pieces up to the target.
 * Not done: SentencePiece's NFKC normalization (the tokenizer.json has no normalizer, or only
 * Lowercase), and its split_by_unicode_script / split_by_number / split_by_whitespace piece rules
 * beyond `▁` only first. Ties go to the smaller piece in code-unit order, so the result is
 * deterministic and independent of the order of `words`; every training word encodes without `[UNK]`.
 */
export function trainUnigram(o: TrainUnigramOptions): TrainedTokenizer {
  checkVocabSize(o.vocabSize, SPECIALS.length + 2, '4 special tokens, [MASK] and at least one piece');
  const maxLen = o.maxPieceLength ?? 16;
  const seedSize = o.seedSize ?? 1_000_000;
  const shrink = o.shrinkingFactor ?? 0.75;
  const subIterations = o.subIterations ?? 2;
  const lowercase = o.lowercase ?? false;
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new TokenizerConfigError(`maxPieceLength must be a positive integer, got ${maxLen}`, { code: 'INVALID_OPTION' });
  if (!(shrink > 0 && shrink < 1)) throw new TokenizerConfigError(`shrinkingFactor must be in (0, 1), got ${shrink}`, { code: 'INVALID_OPTION' });
  const target = o.vocabSize - SPECIALS.length - 1;

  const sentences: Sentence[] = countWords(o, lowercase).map(([w, count]) => ({ chars: Array.from(metaspaced(w)), count }));
  const charCounts = new Map<string, number>();
  const substrings = new Map<string, number>();
  for (const { chars, count } of sentences) {
    for (let start = 0; start < chars.length; start++) {
      charCounts.set(chars[start], (charCounts.get(chars[start]) ?? 0) + count);
      let s = chars[start];
      for (let end = start + 2; end <= Math.min(chars.length, start + maxLen); end++) {
        if (chars[end - 1] === METASPACE) break;
        s += chars[end - 1];
        substrings.set(s, (substrings.get(s) ?? 0) + count);
      }
    }
  }
  if (charCounts.size > target) {
    throw new TokenizerConfigError(
      `vocabSize ${o.vocabSize} is too small: the training words have ${charCounts.size} distinct characters, all of which stay in the vocabulary; ` +
        `use vocabSize >= ${charCounts.size + SPECIALS.length + 1}`,
      { code: 'INVALID_OPTION', field: 'vocabSize' },
    );
  }
  const chars = [...charCounts].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
  const seeds = [...substrings]
    .filter(([, f]) => f >= 2)
    .map(([s, f]): [string, number] => [s, f * Array.from(s).length])
    .sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))
    .slice(0, Math.max(0, seedSize - chars.length));
  const initial = [...chars, ...seeds];
  const logTotal = Math.log(initial.reduce((s, [, v]) => s + v, 0));
  let set = new PieceSet(
    initial.map(([p]) => p),
    initial.map(([, v]) => Math.log(v) - logTotal),
  );

  const desired = Math.floor(target * 1.1);
  for (;;) {
    for (let i = 0; i < subIterations; i++) set = maximize(set, expectedCounts(set, sentences, maxLen));
    if (set.pieces.length <= desired) break;
    const before = set.pieces.length;
    set = prune(set, sentences, maxLen, desired, shrink);
    if (set.pieces.length >= before) break; // nothing prunable left
  }

  // Finalization: required characters first, then the best pieces.
  const finalScores = new Map<string, number>();
  let penalty = 0;
  for (const [c] of chars) {
    const id = set.index.get(c);
    if (id !== undefined) finalScores.set(c, set.scores[id]);
    else {
      finalScores.set(c, set.minScore - penalty);
      penalty += MIN_SCORE_PENALTY_DELTA;
    }
  }
  const byScore = set.pieces.map((p, i): [string, number] => [p, set.scores[i]]).sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
  for (const [p, s] of byScore) {
    if (finalScores.size >= target) break;
    if (!finalScores.has(p)) finalScores.set(p, s);
  }
  const pieces = [...finalScores].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
  const vocab: Array<[string, number]> = [...SPECIALS.map((t): [string, number] => [t, 0]), ...pieces];
  const maskId = vocab.length;
  const metaspace = { type: 'Metaspace', replacement: METASPACE, add_prefix_space: true, prepend_scheme: 'always' };
  return {
    tokenizerJson: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [...SPECIALS.map((t, id) => addedToken(id, t)), addedToken(maskId, MASK)],
      normalizer: lowercase ? { type: 'Lowercase' } : null,
      pre_tokenizer: { type: 'Sequence', pretokenizers: [metaspace] },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
        pair: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: '[SEP]', type_id: 1 } },
        ],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [1], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [2], tokens: ['[SEP]'] },
        },
      },
      decoder: metaspace,
      model: { type: 'Unigram', unk_id: UNK_ID, vocab, byte_fallback: false },
    },
    tokenizerConfig: {
      tokenizer_class: 'DebertaV2Tokenizer',
      do_lower_case: lowercase,
      split_by_punct: false,
      vocab_type: 'spm',
      ...(o.maxLength === undefined ? {} : { model_max_length: o.maxLength }),
      bos_token: '[CLS]',
      eos_token: '[SEP]',
      unk_token: '[UNK]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      mask_token: MASK,
    },
  };
}
