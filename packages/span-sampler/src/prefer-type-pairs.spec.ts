import { createRng, createTripleFilter, parseTypes, type Document, type EncodedDocument } from '@spert/core';
import { createTrainSample } from './train-sample';

const types = parseTypes({
  entities: { Loc: { short: 'Loc', verbose: 'Location' }, Peop: { short: 'Peop', verbose: 'People' }, Org: { short: 'Org', verbose: 'Organization' } },
  relations: { Live_In: { short: 'Live', verbose: 'Live in', symmetric: false } },
});
const [Loc, Peop] = [1, 2];
// Only Peop -> Loc can carry a relation.
const filter = createTripleFilter([['Peop', 'Live_In', 'Loc']], types);

// Hand-made: 2 people, 2 locations, 2 organisations, one gold relation (Ann lives in Rome).
const document: Document = {
  tokens: ['Ann', 'Bob', 'Rome', 'Oslo', 'Acme', 'Ikea', 'x', 'y'],
  entities: [
    { type: 'Peop', start: 0, end: 1 },
    { type: 'Peop', start: 1, end: 2 },
    { type: 'Loc', start: 2, end: 3 },
    { type: 'Loc', start: 3, end: 4 },
    { type: 'Org', start: 4, end: 5 },
    { type: 'Org', start: 5, end: 6 },
  ],
  relations: [{ type: 'Live_In', head: 0, tail: 2 }],
};
const encoding: EncodedDocument = { inputIds: [101, 1, 2, 3, 4, 5, 6, 7, 8, 102], wordRanges: document.tokens.map((_, i) => [i + 1, i + 2] as [number, number]) };

const sample = (negRelationCount: number, preferTypePairs?: typeof filter, seed = 7) =>
  createTrainSample({ document, encoding, types, rng: createRng(seed), negRelationCount, negEntityCount: 5, preferTypePairs });

describe('negative pairs preferring entity-type pairs that can carry a relation', () => {
  it('draws the allowed-type negatives first: with room for 3, all 3 other Peop -> Loc pairs', () => {
    const s = sample(3, filter);
    const negatives = s.pairs.slice(1).map(([h, t]) => [s.spanLabels[h], s.spanLabels[t]]);
    expect(negatives).toHaveLength(3);
    for (const [h, t] of negatives) expect([h, t]).toEqual([Peop, Loc]);
  });
  it('fills up with other pairs when the allowed ones run out, and keeps the count', () => {
    const s = sample(10, filter);
    const negatives = s.pairs.slice(1).map(([h, t]) => [s.spanLabels[h], s.spanLabels[t]]);
    expect(negatives).toHaveLength(10);
    expect(negatives.slice(0, 3).every(([h, t]) => h === Peop && t === Loc)).toBe(true);
    expect(negatives.slice(3).some(([h, t]) => h !== Peop || t !== Loc)).toBe(true);
  });
  it('without the switch draws as the reference: the same pairs and the same random stream as before', () => {
    // Uniform draws over 29 strong negatives: some of 3 are almost surely not Peop -> Loc; and the seed fixes them.
    const a = sample(3);
    const b = sample(3, undefined);
    expect(b).toEqual(a);
    const rngA = createRng(7);
    createTrainSample({ document, encoding, types, rng: rngA, negRelationCount: 3, negEntityCount: 5 });
    const rngB = createRng(7);
    createTrainSample({ document, encoding, types, rng: rngB, negRelationCount: 3, negEntityCount: 5, preferTypePairs: undefined });
    expect(rngB()).toBe(rngA());
    const plainTypes = a.pairs.slice(1).map(([h, t]) => [a.spanLabels[h], a.spanLabels[t]]);
    expect(plainTypes.some(([h, t]) => h !== Peop || t !== Loc)).toBe(true);
  });
});
