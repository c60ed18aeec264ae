import { readFileSync } from 'node:fs';
import { createRng, type Document, type EncodedDocument, type TypesSchema } from '@spert/core';
import { sharedPath } from '../../../tools/testing/shared';
import { contextRange } from './context-range';
import { enumerateSpans } from './enumerate-spans';
import { createTrainSample } from './train-sample';

const types: TypesSchema = {
  entities: [
    { key: 'Loc', index: 1, short: 'Loc', verbose: 'Location' },
    { key: 'Peop', index: 2, short: 'Peop', verbose: 'People' },
  ],
  relations: [
    { key: 'Live_In', index: 1, short: 'Live', verbose: 'Live in', symmetric: false },
    { key: 'Work_For', index: 2, short: 'Work', verbose: 'Work for', symmetric: false },
    { key: 'Conj', index: 3, short: 'Conj', verbose: 'Conjunction', symmetric: true },
  ],
};

/** An encoding where word i has 1 + (i % 2) wordpieces, after [CLS] at 0. */
function encode(tokens: string[]): EncodedDocument {
  const wordRanges: Array<[number, number]> = [];
  let pos = 1;
  tokens.forEach((_, i) => {
    const n = 1 + (i % 2);
    wordRanges.push([pos, pos + n]);
    pos += n;
  });
  return { inputIds: Array.from({ length: pos + 1 }, (_, i) => 100 + i), wordRanges };
}

const words = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i}`);

const doc: Document = {
  tokens: words(8),
  entities: [
    { type: 'Peop', start: 0, end: 2 },
    { type: 'Loc', start: 4, end: 5 },
    { type: 'Peop', start: 6, end: 8 },
  ],
  relations: [
    { type: 'Live_In', head: 0, tail: 1 },
    { type: 'Work_For', head: 0, tail: 1 },
    { type: 'Conj', head: 2, tail: 0 },
  ],
};

describe('createTrainSample', () => {
  it('puts gold spans first with their type index, word widths and wordpiece ranges', () => {
    const s = createTrainSample({ document: doc, encoding: encode(doc.tokens), types, rng: createRng(1) });
    expect(s.spanWords.slice(0, 3)).toEqual([[0, 2], [4, 5], [6, 8]]);
    expect(s.spanLabels.slice(0, 3)).toEqual([2, 1, 2]);
    expect(s.spanWidths.slice(0, 3)).toEqual([2, 1, 2]);
    // word i spans 1 + (i % 2) pieces: words 0..7 start at 1,2,4,5,7,8,10,11 (end 13)
    expect(s.spanRanges.slice(0, 3)).toEqual([[1, 4], [7, 8], [10, 13]]);
    expect(s.inputIds).toEqual(encode(doc.tokens).inputIds);
  });

  it('groups relations of one ordered pair into one multi-hot sample and normalises symmetric ones', () => {
    const s = createTrainSample({ document: doc, encoding: encode(doc.tokens), types, rng: createRng(1) });
    expect(s.numRelationTypes).toBe(3);
    expect(s.pairs.slice(0, 2)).toEqual([[0, 1], [0, 2]]);
    expect(s.pairLabels.slice(0, 2)).toEqual([[1, 1, 0], [0, 0, 1]]);
    // Conj was given as (2 -> 0); symmetric, so the entity that starts first becomes the head.
  });

  it('draws strong negatives from ordered gold pairs that are not positive (reverse of a symmetric pair included)', () => {
    const s = createTrainSample({ document: doc, encoding: encode(doc.tokens), types, rng: createRng(1) });
    const negatives = s.pairs.slice(2);
    expect(negatives.map((p) => p.join()).sort()).toEqual(['1,0', '1,2', '2,0', '2,1'].sort());
    for (const labels of s.pairLabels.slice(2)) expect(labels).toEqual([0, 0, 0]);
    s.pairs.forEach(([i, j], p) => expect(s.pairContexts[p]).toEqual(contextRange(s.spanRanges[i], s.spanRanges[j])));
    expect(s.pairContexts[0]).toEqual([4, 7]);
    expect(s.pairContexts[1]).toEqual([4, 10]);
  });

  it('limits strong negatives to negRelationCount', () => {
    const s = createTrainSample({ document: doc, encoding: encode(doc.tokens), types, rng: createRng(1), negRelationCount: 1 });
    expect(s.pairs).toHaveLength(3);
    expect(s.pairLabels[2]).toEqual([0, 0, 0]);
  });

  it('draws weak negatives from every pair of distinct sample spans, negative spans included, never a positive pair', () => {
    const enc = encode(doc.tokens);
    const weak = createTrainSample({ document: doc, encoding: enc, types, rng: createRng(1), relationNegatives: 'weak', negEntityCount: 5, negRelationCount: 1000 });
    const strong = createTrainSample({ document: doc, encoding: enc, types, rng: createRng(1), negEntityCount: 5, negRelationCount: 1000 });
    // the same spans either way: negative spans are drawn before the pairs
    expect(weak.spanWords).toEqual(strong.spanWords);
    expect(weak.spanWords).toHaveLength(8);
    expect(weak.pairs.slice(0, 2)).toEqual(strong.pairs.slice(0, 2));
    const negatives = weak.pairs.slice(2).map((p) => p.join());
    // 8 distinct spans: 8 * 7 ordered pairs, minus the 2 positive ones
    expect(negatives).toHaveLength(8 * 7 - 2);
    expect(new Set(negatives).size).toBe(negatives.length);
    expect(negatives).not.toContain('0,1');
    expect(negatives).not.toContain('0,2');
    expect(negatives.filter((p) => p.split(',').some((i) => Number(i) >= 3)).length).toBe(8 * 7 - 3 * 2);
    for (const labels of weak.pairLabels.slice(2)) expect(labels).toEqual([0, 0, 0]);
    // strong negatives never touch a negative span
    expect(strong.pairs.slice(2).every(([i, j]) => i < 3 && j < 3)).toBe(true);
    expect(strong.pairs.slice(2).map((p) => p.join()).sort()).toEqual(['1,0', '1,2', '2,0', '2,1']);
  });

  it('caps weak negatives at negRelationCount and counts a repeated gold span once', () => {
    const long: Document = {
      tokens: words(30),
      entities: [
        { type: 'Peop', start: 0, end: 2 },
        { type: 'Loc', start: 10, end: 11 },
        { type: 'Loc', start: 10, end: 11 },
      ],
      relations: [{ type: 'Live_In', head: 0, tail: 1 }],
    };
    const s = createTrainSample({ document: long, encoding: encode(long.tokens), types, rng: createRng(4), relationNegatives: 'weak', negRelationCount: 100 });
    expect(s.spanWords).toHaveLength(103);
    expect(s.pairs).toHaveLength(101);
    const negatives = s.pairs.slice(1);
    expect(new Set(negatives.map((p) => p.join())).size).toBe(100);
    for (const [i, j] of negatives) {
      expect(i).not.toBe(j);
      expect(i === 2 || j === 2).toBe(false); // the repeat of span 1
      expect(`${i},${j}`).not.toBe('0,1');
    }
    expect(negatives.some(([i, j]) => i >= 3 || j >= 3)).toBe(true);
    expect(() => createTrainSample({ document: long, encoding: encode(long.tokens), types, rng: createRng(4), relationNegatives: 'all' as never })).toThrow(
      /relationNegatives must be "strong" or "weak", got "all"/,
    );
  });

  it('gives training pairs the context range of the chosen variant', () => {
    const enc = encode(doc.tokens); // words 0..7 at 1,2,4,5,7,8,10,11, end 13; [SEP] at 13
    const ctx = (relationContext: 'localized' | 'sentence' | 'cls' | 'none') =>
      createTrainSample({ document: doc, encoding: enc, types, rng: createRng(1), relationContext }).pairContexts;
    const n = ctx('localized').length;
    expect(ctx('sentence')).toEqual(Array(n).fill([1, 13]));
    expect(ctx('cls')).toEqual(Array(n).fill([0, 1]));
    expect(ctx('none')).toEqual(Array(n).fill([0, 0]));
    expect(ctx('localized').slice(0, 2)).toEqual([[4, 7], [4, 10]]);
  });

  it('samples at most negEntityCount distinct non-gold negatives, all of them when fewer exist', () => {
    const small = createTrainSample({ document: doc, encoding: encode(doc.tokens), types, rng: createRng(2) });
    const all = enumerateSpans(8).length; // 8 words: 8+7+...+1 = 36
    expect(small.spanWords).toHaveLength(all); // 3 gold + 33 negatives: every candidate once
    const negs = small.spanWords.slice(3).map((s) => s.join());
    expect(new Set(negs).size).toBe(negs.length);
    for (const g of ['0,2', '4,5', '6,8']) expect(negs).not.toContain(g);
    expect(small.spanLabels.slice(3).every((l) => l === 0)).toBe(true);

    const long: Document = { tokens: words(40), entities: [{ type: 'Loc', start: 3, end: 5 }], relations: [] };
    const s = createTrainSample({ document: long, encoding: encode(long.tokens), types, rng: createRng(3) });
    expect(s.spanWords).toHaveLength(101);
    const longNegs = s.spanWords.slice(1).map((x) => x.join());
    expect(new Set(longNegs).size).toBe(100);
    expect(longNegs).not.toContain('3,5');
    for (const w of s.spanWidths.slice(1)) expect(w).toBeGreaterThanOrEqual(1);
    for (const w of s.spanWidths.slice(1)) expect(w).toBeLessThanOrEqual(10);
    // partial overlaps with the gold span are valid negatives: with every span drawn they appear
    const every = createTrainSample({ document: long, encoding: encode(long.tokens), types, rng: createRng(3), negEntityCount: 1000 });
    expect(every.spanWords.map((x) => x.join())).toEqual(expect.arrayContaining(['3,4', '4,6', '2,5']));
    expect(every.spanWords).toHaveLength(enumerateSpans(40).length);
  });

  it('gives zero negatives when every span is gold, and nothing for an empty document', () => {
    const one: Document = { tokens: ['Paris'], entities: [{ type: 'Loc', start: 0, end: 1 }], relations: [] };
    const s = createTrainSample({ document: one, encoding: encode(one.tokens), types, rng: createRng(1) });
    expect(s.spanWords).toEqual([[0, 1]]);
    expect(s.pairs).toEqual([]);
    const empty: Document = { tokens: [], entities: [], relations: [] };
    const e = createTrainSample({ document: empty, encoding: encode([]), types, rng: createRng(1) });
    expect(e.spanWords).toEqual([]);
    expect(e.pairs).toEqual([]);
  });

  it('is reproducible for a seed and varies with it', () => {
    const long: Document = { tokens: words(30), entities: [], relations: [] };
    const a = createTrainSample({ document: long, encoding: encode(long.tokens), types, rng: createRng(9) });
    const b = createTrainSample({ document: long, encoding: encode(long.tokens), types, rng: createRng(9) });
    const c = createTrainSample({ document: long, encoding: encode(long.tokens), types, rng: createRng(10) });
    expect(b).toEqual(a);
    expect(c.spanWords).not.toEqual(a.spanWords);
  });

  it('says what is wrong and where', () => {
    const enc = encode(doc.tokens);
    const bad = (d: Partial<Document>) => ({ document: { ...doc, ...d }, encoding: enc, types, rng: createRng(1), documentIndex: 7 });
    expect(() => createTrainSample(bad({ entities: [{ type: 'Nope', start: 0, end: 1 }], relations: [] }))).toThrow(
      /document 7, entities\[0\]\.type: unknown entity type "Nope"/,
    );
    expect(() => createTrainSample(bad({ entities: [{ type: 'Loc', start: 5, end: 9 }], relations: [] }))).toThrow(
      /document 7, entities\[0\]: span \[5, 9\)/,
    );
    expect(() => createTrainSample(bad({ relations: [{ type: 'Live_In', head: 0, tail: 5 }] }))).toThrow(
      /document 7, relations\[0\]/,
    );
    expect(() => createTrainSample(bad({ relations: [{ type: 'Hates', head: 0, tail: 1 }] }))).toThrow(/unknown relation type "Hates"/);
    expect(() => createTrainSample({ ...bad({}), encoding: encode(words(3)) })).toThrow(/3 word ranges.*8 tokens/);
  });

  it('keeps its invariants on every CoNLL04 training document', () => {
    const conllTypes = JSON.parse(readFileSync(sharedPath('datasets', 'conll04', 'conll04_types.json'), 'utf8')) as {
      entities: Record<string, { short: string; verbose: string }>;
      relations: Record<string, { short: string; verbose: string; symmetric: boolean }>;
    };
    const schema: TypesSchema = {
      entities: Object.entries(conllTypes.entities).map(([key, v], i) => ({ key, index: i + 1, ...v })),
      relations: Object.entries(conllTypes.relations).map(([key, v], i) => ({ key, index: i + 1, ...v })),
    };
    const docs = JSON.parse(readFileSync(sharedPath('datasets', 'conll04', 'conll04_train.json'), 'utf8')) as Document[];
    const rng = createRng(0);
    docs.forEach((d, k) => {
      const s = createTrainSample({ document: d, encoding: encode(d.tokens), types: schema, rng, documentIndex: k });
      const gold = new Set(d.entities.map((e) => `${e.start},${e.end}`));
      const negs = s.spanWords.slice(d.entities.length);
      const candidates = enumerateSpans(d.tokens.length).filter((x) => !gold.has(x.join())).length;
      expect(negs.length).toBe(Math.min(100, candidates));
      expect(new Set(negs.map((x) => x.join())).size).toBe(negs.length);
      for (const n of negs) expect(gold.has(n.join())).toBe(false);
      const positives = new Set(d.relations.map((r) => `${r.head},${r.tail}`)).size;
      const posLabels = s.pairLabels.slice(0, positives);
      expect(posLabels.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0)).toBe(
        new Set(d.relations.map((r) => `${r.head},${r.tail},${r.type}`)).size,
      );
      for (const row of s.pairLabels.slice(positives)) expect(row.every((v) => v === 0)).toBe(true);
      expect(s.pairs.length - positives).toBeLessThanOrEqual(100);
    });
  });
});
