import type { Document, TypesSchema } from '@spert/core';
import { evaluate, type Scores } from './evaluate';
import { metricsToJson } from './metrics-json';

const handTypes: TypesSchema = {
  entities: [
    { key: 'A', index: 1, short: 'a', verbose: 'Alpha' },
    { key: 'B', index: 2, short: 'b', verbose: 'Beta' },
    { key: 'C', index: 3, short: 'c', verbose: 'Gamma' },
  ],
  relations: [
    { key: 'R', index: 1, short: 'r', verbose: 'Rel', symmetric: false },
    { key: 'S', index: 2, short: 's', verbose: 'Sym', symmetric: true },
    { key: 'T', index: 3, short: 't', verbose: 'Tee', symmetric: false },
  ],
};

const words = (n: number): string[] => Array.from({ length: n }, (_, i) => `w${i}`);

// Document 0: a wrong-type-right-span entity, a type only in predictions (C; relation T), a
// symmetric relation given the other way round, a reversed non-symmetric relation.
// Document 1: a duplicate gold entity, which the reference's set union counts once.
const handGold: Document[] = [
  {
    tokens: words(10),
    entities: [
      { type: 'A', start: 0, end: 1 },
      { type: 'B', start: 2, end: 4 },
      { type: 'A', start: 5, end: 6 },
    ],
    relations: [
      { type: 'R', head: 0, tail: 1 },
      { type: 'S', head: 2, tail: 0 },
    ],
  },
  { tokens: words(2), entities: [{ type: 'A', start: 0, end: 1 }, { type: 'A', start: 0, end: 1 }], relations: [] },
];
const handPredicted: Document[] = [
  {
    tokens: words(10),
    entities: [
      { type: 'A', start: 0, end: 1 },
      { type: 'C', start: 2, end: 4 },
      { type: 'A', start: 5, end: 6 },
      { type: 'B', start: 8, end: 9 },
    ],
    relations: [
      { type: 'S', head: 0, tail: 2 },
      { type: 'R', head: 0, tail: 1 },
      { type: 'R', head: 1, tail: 0 },
      { type: 'T', head: 0, tail: 3 },
    ],
  },
  { tokens: words(2), entities: [{ type: 'A', start: 0, end: 1 }], relations: [] },
];

const pct = (p: number, r: number, f: number, support: number): Scores => ({ precision: p * 100, recall: r * 100, f1: f * 100, support });
const close = (actual: Scores, expected: Scores): void => {
  expect(actual.support).toBe(expected.support);
  for (const k of ['precision', 'recall', 'f1'] as const) expect(actual[k]).toBeCloseTo(expected[k], 10);
};

describe('evaluate (hand-computed)', () => {
  const r = evaluate({ gold: handGold, predicted: handPredicted, types: handTypes });

  it('NER: wrong type on a right span is 1 FP + 1 FN; a type only predicted enters the macro average', () => {
    // A: tp 3, pred 3, gold 3 (the duplicate counts once); B: tp 0, pred 1, gold 1; C: tp 0, pred 1, gold 0
    expect(r.ner.perType.map((t) => t.type)).toEqual(['A', 'B', 'C']);
    close(r.ner.perType[0], pct(1, 1, 1, 3));
    close(r.ner.perType[1], pct(0, 0, 0, 1));
    close(r.ner.perType[2], pct(0, 0, 0, 0));
    close(r.ner.micro, pct(3 / 5, 3 / 4, 6 / 9, 4));
    close(r.ner.macro, pct(1 / 3, 1 / 3, 1 / 3, 4));
  });

  it('relations without NEC: spans only, symmetric relations canonicalized, direction matters otherwise', () => {
    // R: gold {0-1 -> 2-4}; predicted both directions -> tp 1, pred 2; S: tp 1; T: pred 1, gold 0
    expect(r.rel.perType.map((t) => t.type)).toEqual(['R', 'S', 'T']);
    close(r.rel.perType[0], pct(1 / 2, 1, 2 / 3, 1));
    close(r.rel.perType[1], pct(1, 1, 1, 1));
    close(r.rel.perType[2], pct(0, 0, 0, 0));
    close(r.rel.micro, pct(2 / 4, 2 / 2, 2 / 3, 2));
    close(r.rel.macro, pct(1.5 / 3, 2 / 3, 5 / 9, 2));
  });

  it('relations with NEC: a wrong argument type makes the relation wrong', () => {
    close(r.relNec.perType[0], pct(0, 0, 0, 1));
    close(r.relNec.perType[1], pct(1, 1, 1, 1));
    close(r.relNec.micro, pct(1 / 4, 1 / 2, 1 / 3, 2));
    close(r.relNec.macro, pct(1 / 3, 1 / 3, 1 / 3, 2));
  });

  it('lists only types seen in gold or predictions, and scores nothing as zeros', () => {
    const empty = evaluate({ gold: [{ tokens: ['x'], entities: [], relations: [] }], predicted: [{ tokens: ['x'], entities: [], relations: [] }], types: handTypes });
    expect(empty.ner.perType).toEqual([]);
    expect(empty.rel.micro).toEqual(pct(0, 0, 0, 0));
    expect(empty.relNec.macro).toEqual(pct(0, 0, 0, 0));
  });

  it('orders rows (and macro sums) as requested', () => {
    const o = evaluate({ gold: handGold, predicted: handPredicted, types: handTypes, order: { entities: ['C'], relations: ['T', 'R'] } });
    expect(o.ner.perType.map((t) => t.type)).toEqual(['C', 'A', 'B']);
    expect(o.rel.perType.map((t) => t.type)).toEqual(['T', 'R', 'S']);
  });

  it('names the document and field of an unknown type or a bad argument', () => {
    const bad = [handPredicted[0], { ...handPredicted[1], entities: [{ type: 'Z', start: 0, end: 1 }] }];
    expect(() => evaluate({ gold: handGold, predicted: bad, types: handTypes })).toThrow('predicted document 1, entities[0].type: unknown entity type "Z"');
    const badRel = [{ ...handGold[0], relations: [{ type: 'R', head: 0, tail: 7 }] }, handGold[1]];
    expect(() => evaluate({ gold: badRel, predicted: handPredicted, types: handTypes })).toThrow('gold document 0, relations[0].tail: 7 out of range (3 entities)');
  });

  it('exports the metrics as JSON keyed by type', () => {
    const j = metricsToJson(r);
    expect(Object.keys(j)).toEqual(['ner', 'rel', 'rel_nec']);
    expect(j.ner.types.B).toEqual(pct(0, 0, 0, 1));
    expect(j.rel_nec.micro.support).toBe(2);
  });
});

describe('evaluate with noOverlapping', () => {
  const gold: Document[] = [
    {
      tokens: words(10),
      entities: [
        { type: 'A', start: 0, end: 2 },
        { type: 'B', start: 1, end: 3 },
        { type: 'C', start: 4, end: 5 },
        { type: 'A', start: 5, end: 6 },
      ],
      relations: [
        { type: 'R', head: 0, tail: 2 }, // argument 0 overlaps entity 1, but not argument 2: kept
        { type: 'S', head: 0, tail: 1 }, // its two arguments overlap each other: dropped
      ],
    },
  ];
  const predicted: Document[] = [
    {
      tokens: words(10),
      entities: [...gold[0].entities, { type: 'A', start: 6, end: 8 }, { type: 'B', start: 7, end: 9 }],
      relations: gold[0].relations,
    },
  ];

  it('drops overlapping entities on both sides and relations whose arguments overlap', () => {
    const r = evaluate({ gold, predicted, types: handTypes, noOverlapping: true });
    // left: C 4..5 and A 5..6 (touching spans do not overlap); the overlapping predictions vanish
    expect(r.ner.perType.map((t) => [t.type, t.support, t.precision])).toEqual([['A', 1, 100], ['C', 1, 100]]);
    expect(r.ner.micro).toEqual(pct(1, 1, 1, 2));
    expect(r.rel.perType.map((t) => [t.type, t.support])).toEqual([['R', 1]]);
    expect(r.relNec.micro).toEqual(pct(1, 1, 1, 1));
  });

  it('keeps them all otherwise', () => {
    const r = evaluate({ gold, predicted, types: handTypes });
    expect(r.ner.micro.support).toBe(4);
    expect(r.ner.micro.precision).toBeCloseTo((4 / 6) * 100, 10);
    expect(r.rel.micro.support).toBe(2);
  });
});
