import { formatProblem, DatasetValidationError } from './problems';
import type { TypesSchema } from './types';
import { parseDataset, validateDocuments } from './validate';

const types: TypesSchema = {
  entities: [
    { key: 'Peop', index: 1, short: 'Peop', verbose: 'People' },
    { key: 'Loc', index: 2, short: 'Loc', verbose: 'Location' },
  ],
  relations: [{ key: 'Live_In', index: 1, short: 'Live', verbose: 'Live in', symmetric: false }],
};

const good = {
  tokens: ['John', 'lives', 'in', 'Paris'],
  entities: [
    { type: 'Peop', start: 0, end: 1 },
    { type: 'Loc', start: 3, end: 4 },
  ],
  relations: [{ type: 'Live_In', head: 0, tail: 1 }],
  orig_id: 7,
};

const messages = (json: unknown): string[] =>
  validateDocuments(json, types, { source: 'f.json' }).problems.map(formatProblem);

describe('validateDocuments', () => {
  it('accepts a valid document unchanged', () => {
    const r = validateDocuments([good], types, { source: 'f.json' });
    expect(r.problems).toEqual([]);
    expect(r.skipped).toEqual([]);
    expect(r.documents).toEqual([good]);
  });

  it('keeps numeric scores of predictions', () => {
    const scored = { ...good, entities: good.entities.map((e, i) => ({ ...e, score: 0.5 + i / 10 })), relations: [{ ...good.relations[0], score: 0.9 }] };
    expect(validateDocuments([scored], types).documents[0]).toEqual(scored);
  });

  it('rejects a non-array root', () => {
    expect(() => validateDocuments({ tokens: [] }, types, { source: 'f.json' })).toThrow(
      'f.json: the root must be an array of documents, got object',
    );
  });

  it('reports missing, empty and non-string tokens', () => {
    expect(messages([{ entities: [], relations: [] }])).toEqual(['f.json: document 0, tokens: must be an array of words, got missing']);
    expect(messages([{ tokens: [], entities: [], relations: [] }])).toEqual(['f.json: document 0, tokens: is empty']);
    expect(messages([{ tokens: ['a', 3, null], entities: [], relations: [] }])).toEqual([
      'f.json: document 0, tokens[1]: must be a string, got 3',
      'f.json: document 0, tokens[2]: must be a string, got null',
    ]);
    expect(messages(['text'])).toEqual(['f.json: document 0: a document must be an object {tokens, entities, relations}, got "text"']);
  });

  it('reports entity spans out of range, empty or reversed, and unknown types', () => {
    const doc = {
      tokens: ['a', 'b', 'c', 'd', 'e', 'f'],
      entities: [
        { type: 'Peop', start: 0, end: 1 },
        { type: 'Peop', start: 6, end: 7 },
        { type: 'Loc', start: 5, end: 3 },
        { type: 'Loc', start: 2, end: 9 },
        { type: 'Org', start: 0, end: 1 },
        { type: 'Loc', start: 1.5, end: '2' },
        { type: 'Loc', start: -1, end: 2 },
      ],
      relations: [],
    };
    expect(messages([good, doc])).toEqual([
      'f.json: document 1, entities[1].start: 6 out of range 0..5',
      'f.json: document 1, entities[1].end: 7 > number of tokens 6',
      'f.json: document 1, entities[2].end: 3 <= start 5',
      'f.json: document 1, entities[3].end: 9 > number of tokens 6',
      'f.json: document 1, entities[4].type: unknown entity type "Org" (known: Peop, Loc)',
      'f.json: document 1, entities[5].start: must be an integer, got 1.5',
      'f.json: document 1, entities[5].end: must be an integer, got "2"',
      'f.json: document 1, entities[6].start: -1 out of range 0..5',
    ]);
  });

  it('reports relation arguments out of range and unknown relation types', () => {
    const doc = {
      ...good,
      relations: [
        { type: 'Live_In', head: 0, tail: 2 },
        { type: 'Work_For', head: 0, tail: 1 },
        { type: 'Live_In', head: -1, tail: 'x' },
      ],
    };
    expect(messages([doc])).toEqual([
      'f.json: document 0, relations[0].tail: 2 out of range: the document has 2 entities',
      'f.json: document 0, relations[1].type: unknown relation type "Work_For" (known: Live_In)',
      'f.json: document 0, relations[2].head: -1 out of range: the document has 2 entities',
      'f.json: document 0, relations[2].tail: must be an integer entity index, got "x"',
    ]);
  });

  it('reports duplicate entities and relations as warnings by default, as errors on request', () => {
    const doc = {
      tokens: good.tokens,
      entities: [...good.entities, { type: 'Peop', start: 0, end: 1 }],
      relations: [...good.relations, { type: 'Live_In', head: 0, tail: 1 }],
    };
    const warn = validateDocuments([doc], types, { source: 'f.json' });
    expect(warn.problems.map((p) => [formatProblem(p), p.severity])).toEqual([
      ['f.json: document 0, entities[2]: duplicate of entities[0] (Peop 0..1)', 'warning'],
      ['f.json: document 0, relations[1]: duplicate of relations[0] (Live_In 0 -> 1)', 'warning'],
    ]);
    expect(warn.documents).toHaveLength(1);
    const strict = validateDocuments([doc], types, { source: 'f.json', duplicates: 'error' });
    expect(strict.problems.every((p) => p.severity === 'error')).toBe(true);
    expect(strict.skipped).toEqual([0]);
  });

  it('reports missing entity or relation arrays', () => {
    expect(messages([{ tokens: ['a'], relations: [] }, { tokens: ['a'], entities: [], relations: {} }])).toEqual([
      'f.json: document 0, entities: must be an array, got missing',
      'f.json: document 1, relations: must be an array, got {}',
    ]);
  });
});

describe('parseDataset', () => {
  const bad = [good, { tokens: [], entities: [], relations: [] }, good, { ...good, relations: [{ type: 'X', head: 0, tail: 9 }] }];

  it('throws in strict mode listing every problem, first N printed and the rest counted', () => {
    let err: unknown;
    try {
      parseDataset(bad, types, { source: 'f.json' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatasetValidationError);
    const e = err as DatasetValidationError;
    expect(e.problems).toHaveLength(3);
    expect(e.message).toBe(
      [
        'f.json: 3 problem(s) in 2 document(s) (pass lenient: true to skip bad documents):',
        '  - f.json: document 1, tokens: is empty',
        '  - f.json: document 3, relations[0].type: unknown relation type "X" (known: Live_In)',
        '  - f.json: document 3, relations[0].tail: 9 out of range: the document has 2 entities',
      ].join('\n'),
    );
    const many = Array.from({ length: 30 }, () => ({ tokens: [], entities: [], relations: [] }));
    expect(() => parseDataset(many, types, { source: 'f.json' })).toThrow(/document 19, tokens: is empty\n {2}\.\.\. and 10 more$/);
  });

  it('skips bad documents in lenient mode and counts them', () => {
    const r = parseDataset(bad, types, { source: 'f.json', lenient: true });
    expect(r.documents).toHaveLength(2);
    expect(r.skipped).toEqual([1, 3]);
    expect(r.problems).toHaveLength(3);
  });
});
