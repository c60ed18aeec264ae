import { createRng } from '@spert/core';
import type { SpecialIds } from '@spert/tokenizer';
import { maskedBatch } from './batch';
import { IGNORE_LABEL, maskForEpoch, maskSequence } from './mask';

// A hand-made packed sequence: [CLS] w0(2 pieces) w1 w2(3 pieces) [SEP] w3 w4(2 pieces) [SEP] + 3 padding.
const SPECIALS: SpecialIds = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };
const VOCAB = 50;
const IDS = [2, 10, 11, 12, 13, 14, 15, 3, 16, 17, 18, 3, 0, 0, 0];
const WORDS = [-1, 0, 0, 1, 2, 2, 2, -1, 3, 4, 4, -1, -1, -1, -1];
const LENGTH = 12;
const REAL = WORDS.slice(0, LENGTH).filter((w) => w >= 0).length; // 9

function chosenPositions(labels: Int32Array): number[] {
  return [...labels].flatMap((l, t) => (l !== IGNORE_LABEL ? [t] : []));
}

describe('maskSequence', () => {
  it('chooses whole words: every piece of a chosen word together, never specials or padding, labels = original ids', () => {
    const rng = createRng(1);
    // Violations are collected and checked once (an expect per draw and position is slow).
    const problems: string[] = [];
    const sizes = new Set<number>();
    for (let draw = 0; draw < 2000; draw++) {
      const { inputIds, labels } = maskSequence({ ids: IDS, wordIds: WORDS, length: LENGTH, specialIds: SPECIALS, vocabSize: VOCAB, maskProbability: 0.3, rng });
      if (inputIds.length !== LENGTH) problems.push(`draw ${draw}: ${inputIds.length} ids`);
      const chosen = chosenPositions(labels);
      sizes.add(chosen.length);
      for (const w of new Set(chosen.map((t) => WORDS[t]))) {
        const all = WORDS.flatMap((x, t) => (x === w ? [t] : []));
        if (chosen.filter((t) => WORDS[t] === w).join() !== all.join()) problems.push(`draw ${draw}: word ${w} partly chosen`);
      }
      for (const t of chosen) {
        if (WORDS[t] < 0) problems.push(`draw ${draw}: special or padding position ${t} chosen`);
        if (labels[t] !== IDS[t]) problems.push(`draw ${draw}: label ${labels[t]} at ${t}, id ${IDS[t]}`);
      }
      for (let t = 0; t < LENGTH; t++) if (labels[t] === IGNORE_LABEL && inputIds[t] !== IDS[t]) problems.push(`draw ${draw}: unchosen position ${t} changed`);
    }
    expect(problems).toEqual([]);
    // Target round(0.3 * 9) = 3; the words have 2, 1, 3, 1, 2 pieces: taking words while the total
    // stays within 3 (skipping those that would pass it) ends at 3, or at 2 when both one-piece words
    // come first (every other word would pass 3).
    expect([...sizes].sort()).toEqual([2, 3]);
  });

  it('predicts max(1, round(p x real tokens)) tokens without whole words, and about 15% over many sequences', () => {
    const rng = createRng(2);
    for (const p of [0, 0.01, 0.15, 0.5, 1]) {
      const { labels } = maskSequence({ ids: IDS, wordIds: WORDS, length: LENGTH, specialIds: SPECIALS, vocabSize: VOCAB, maskProbability: p, wholeWord: false, rng });
      expect([p, chosenPositions(labels).length]).toEqual([p, Math.max(1, Math.round(p * REAL))]);
    }
    // A long sequence of one-piece and two-piece words: whole-word masking stays at ~15% of the tokens.
    const n = 126;
    const ids = [2, ...Array.from({ length: n }, (_, i) => 10 + (i % 30)), 3];
    const wordIds = [-1, ...Array.from({ length: n }, (_, i) => Math.floor((i * 2) / 3)), -1];
    let chosen = 0;
    for (let k = 0; k < 200; k++) {
      chosen += chosenPositions(maskSequence({ ids, wordIds, specialIds: SPECIALS, vocabSize: VOCAB, rng }).labels).length;
    }
    // Target round(0.15 * 126) = 19 per sequence; whole words may leave it one short.
    expect(chosen / 200).toBeGreaterThanOrEqual(18);
    expect(chosen / 200).toBeLessThanOrEqual(19);
  });

  it('replaces 80% by the mask, 10% by a random non-special id and keeps 10%, within 4 standard deviations', () => {
    const rng = createRng(3);
    let total = 0;
    let masked = 0;
    let random = 0;
    let kept = 0;
    const randomIds = new Set<number>();
    for (let draw = 0; draw < 5000; draw++) {
      const { inputIds, labels } = maskSequence({ ids: IDS, wordIds: WORDS, length: LENGTH, specialIds: SPECIALS, vocabSize: VOCAB, maskProbability: 0.5, rng });
      for (const t of chosenPositions(labels)) {
        total++;
        if (inputIds[t] === SPECIALS.mask) masked++;
        else if (inputIds[t] === IDS[t]) kept++;
        else {
          random++;
          randomIds.add(inputIds[t]);
        }
      }
    }
    // A random draw may give the original id back (1 in 45 here): it counts as kept, so the
    // expected shares are 0.8, 0.1 x 44/45 and 0.1 + 0.1 / 45.
    const within = (count: number, share: number) => {
      const sd = Math.sqrt(total * share * (1 - share));
      expect(Math.abs(count - total * share)).toBeLessThan(4 * sd);
    };
    within(masked, 0.8);
    within(random, 0.1 * (44 / 45));
    within(kept, 0.1 + 0.1 / 45);
    for (const id of randomIds) expect([0, 1, 2, 3, 4]).not.toContain(id);
    // Random ids cover the rest of the vocabulary.
    expect(randomIds.size).toBeGreaterThan(40);
  });

  it('never masks a sequence without real tokens, and refuses a tokenizer without a mask token', () => {
    const { inputIds, labels } = maskSequence({ ids: [2, 3, 0], wordIds: [-1, -1, -1], specialIds: SPECIALS, vocabSize: VOCAB, rng: createRng(1) });
    expect([...labels]).toEqual([IGNORE_LABEL, IGNORE_LABEL, IGNORE_LABEL]);
    expect([...inputIds]).toEqual([2, 3, 0]);
    expect(() => maskSequence({ ids: IDS, wordIds: WORDS, specialIds: { ...SPECIALS, mask: undefined }, vocabSize: VOCAB, rng: createRng(1) })).toThrow(/no mask token/);
    expect(() => maskSequence({ ids: IDS, wordIds: WORDS, specialIds: SPECIALS, vocabSize: VOCAB, maskProbability: 1.5, rng: createRng(1) })).toThrow(/maskProbability must be a number in \[0, 1\]/);
    expect(() => maskSequence({ ids: IDS, wordIds: WORDS, length: 99, specialIds: SPECIALS, vocabSize: VOCAB, rng: createRng(1) })).toThrow(/length must be an integer/);
  });

  it('takes a whole word alone when every word is longer than the target', () => {
    // One word of 5 pieces, p 0.15: the target is 1, the word is taken whole (5 labels).
    const { labels } = maskSequence({ ids: [2, 10, 11, 12, 13, 14, 3], wordIds: [-1, 0, 0, 0, 0, 0, -1], specialIds: SPECIALS, vocabSize: VOCAB, rng: createRng(9) });
    expect(chosenPositions(labels)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('dynamic masking (maskForEpoch) and batches', () => {
  const base = { ids: IDS, wordIds: WORDS, length: LENGTH, specialIds: SPECIALS, vocabSize: VOCAB, maskProbability: 0.3 };

  it('same (seed, epoch, index), same masks; another epoch, index or seed, other masks', () => {
    const a = maskForEpoch({ ...base, seed: 1, epoch: 0, index: 5 });
    expect(maskForEpoch({ ...base, seed: 1, epoch: 0, index: 5 })).toEqual(a);
    const differs = (o: { seed: number; epoch: number; index: number }) => {
      // Over a few epochs at least one mask differs (a single draw may coincide by chance).
      let diff = 0;
      for (let k = 0; k < 5; k++) {
        const b = maskForEpoch({ ...base, ...o, epoch: o.epoch + k });
        const c = maskForEpoch({ ...base, seed: 1, epoch: k, index: 5 });
        if (JSON.stringify([...b.labels, ...b.inputIds]) !== JSON.stringify([...c.labels, ...c.inputIds])) diff++;
      }
      return diff;
    };
    expect(differs({ seed: 1, epoch: 1, index: 5 })).toBeGreaterThan(0);
    expect(differs({ seed: 1, epoch: 0, index: 6 })).toBeGreaterThan(0);
    expect(differs({ seed: 2, epoch: 0, index: 5 })).toBeGreaterThan(0);
  });

  const store = {
    sequences: [
      { ids: IDS.slice(0, LENGTH), wordIds: WORDS.slice(0, LENGTH) },
      { ids: [2, 20, 21, 22, 3], wordIds: [-1, 0, 1, 1, -1] },
      { ids: [2, 30, 31, 32, 33, 34, 35, 36, 3], wordIds: [-1, 0, 1, 2, 3, 4, 5, 6, -1] },
    ],
    get(i: number) {
      const s = this.sequences[i];
      return { length: s.ids.length, ids: s.ids, wordIds: s.wordIds };
    },
  };
  const batchOf = (indices: number[], epoch = 0, sequenceLength?: number) =>
    maskedBatch({ store, indices, epoch, seed: 7, specialIds: SPECIALS, vocabSize: VOCAB, sequenceLength });

  it('pads into flat typed arrays with the attention mask, labels and the flat labelled positions', () => {
    const b = batchOf([1, 0, 2]);
    expect([b.batchSize, b.sequenceLength, b.realTokens]).toEqual([3, 12, 5 + 12 + 9]);
    expect(b.inputIds.length).toBe(36);
    // Row 0 is sequence 1 (5 tokens) padded with the pad id, attention 0 there.
    expect([...b.attentionMask.subarray(0, 12)]).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect([...b.inputIds.subarray(5, 12)]).toEqual(Array(7).fill(SPECIALS.pad));
    expect([...b.labels.subarray(5, 12)]).toEqual(Array(7).fill(IGNORE_LABEL));
    const positions = [...b.labels].flatMap((l, p) => (l !== IGNORE_LABEL ? [p] : []));
    expect([...b.maskedPositions]).toEqual(positions);
    expect([...b.maskedLabels]).toEqual(positions.map((p) => b.labels[p]));
    // Every row has at least one label, and only where the attention mask is 1.
    for (let r = 0; r < 3; r++) expect(positions.some((p) => Math.floor(p / 12) === r)).toBe(true);
    for (const p of positions) expect(b.attentionMask[p]).toBe(1);
    expect(batchOf([1], 0, 16).sequenceLength).toBe(16);
    expect(() => batchOf([0], 0, 4)).toThrow(/cannot hold the batch's longest sequence \(12 tokens\)/);
    expect(() => batchOf([])).toThrow(/at least one sequence index/);
  });

  it("a sequence's masks do not depend on its batch, its row or a resume", () => {
    const alone = batchOf([2], 3);
    const inBatch = batchOf([0, 1, 2], 3);
    const row = (b: ReturnType<typeof batchOf>, r: number, n: number) => [...b.inputIds.subarray(r * b.sequenceLength, r * b.sequenceLength + n)];
    expect(row(inBatch, 2, 9)).toEqual(row(alone, 0, 9));
    expect([...inBatch.labels.subarray(24, 33)]).toEqual([...alone.labels.subarray(0, 9)]);
    expect(batchOf([0, 1, 2], 4).labels).not.toEqual(inBatch.labels);
  });
});
