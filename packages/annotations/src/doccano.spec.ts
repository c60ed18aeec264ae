import { alignDocuments } from './align';
import { formatDoccano, parseDoccano } from './doccano';
import { formatAnnotationProblem, formatSummary } from './problems';

// Offsets as doccano's Python backend counts them: code points.
const cp = (text: string, sub: string) => {
  const start = [...text.slice(0, text.indexOf(sub))].length;
  return { start_offset: start, end_offset: start + [...sub].length };
};

const T1 = 'Émile Zola 🙂 wrote in Paris. He died there.';
const T2 = '北京大学的学生在上海工作。';
const JSONL = [
  JSON.stringify({
    id: 5,
    text: T1,
    entities: [
      { id: 1, label: 'Peop', ...cp(T1, 'Émile Zola') },
      { id: 2, label: 'Loc', ...cp(T1, 'Paris') },
      { id: 3, label: 'Peop', ...cp(T1, 'He') },
      { id: 4, label: 'Loc', ...cp(T1, 'Pari') }, // ends inside "Paris"
    ],
    relations: [
      { id: 1, from_id: 1, to_id: 2, type: 'Live_In' },
      { id: 2, from_id: 3, to_id: 2, type: 'Live_In' }, // "He" is in the next sentence
      { id: 3, from_id: 1, to_id: 4, type: 'Live_In' },
    ],
  }),
  '{"text": "broken',
  JSON.stringify({ text: T2, label: [[0, 4, 'Org'], [8, 10, 'Loc'], [10, 99, 'Loc']] }), // sequence-labeling layout
  '',
].join('\n');

describe('doccano JSONL', () => {
  it('imports relation and sequence-labeling lines; problems name the line', () => {
    const { documents, problems } = parseDoccano(JSONL, { source: 'data.jsonl' });
    expect(documents.map((d) => [d.id, d.line])).toEqual([['5', 1], ['line 3', 3]]);
    expect(problems.map((p) => [p.kind, p.line])).toEqual([
      ['malformed', 2],
      ['malformed', 3],
    ]);
    expect(formatAnnotationProblem(problems[1])).toBe('data.jsonl:3: document line 3: label[2]: offsets 10..99 are not inside the text (13 characters): skipped [malformed]');
    const r = alignDocuments({ documents, problems, sentences: 'sentences' });
    expect(r.documents).toEqual([
      {
        tokens: ['Émile', 'Zola', '🙂', 'wrote', 'in', 'Paris', '.'],
        entities: [
          { type: 'Peop', start: 0, end: 2 },
          { type: 'Loc', start: 5, end: 6 },
        ],
        relations: [{ type: 'Live_In', head: 0, tail: 1 }],
        orig_id: '5#1',
      },
      { tokens: ['He', 'died', 'there', '.'], entities: [{ type: 'Peop', start: 0, end: 1 }], relations: [], orig_id: '5#2' },
      // CJK: Intl.Segmenter's dictionary finds the words
      {
        tokens: ['北京', '大学', '的', '学生', '在', '上海', '工作', '。'],
        entities: [
          { type: 'Org', start: 0, end: 2 },
          { type: 'Loc', start: 5, end: 6 },
        ],
        relations: [],
        orig_id: 'line 3',
      },
    ]);
    expect(r.problems.slice(2).map((p) => [p.kind, p.line, p.annotation])).toEqual([
      ['boundary-inside-word', 1, '4'],
      ['cross-sentence-relation', 1, 'relation 2'],
      ['dangling-relation', 1, 'relation 3'],
    ]);
    expect(formatSummary(r.summary)).toBe(
      [
        'input documents: 2',
        'documents: 3',
        'entities: 5',
        'relations: 1',
        'problems: 5',
        '  boundary-inside-word: 1',
        '  cross-sentence-relation: 1',
        '  dangling-relation: 1',
        '  malformed: 2',
      ].join('\n'),
    );
  });

  it('exports code-point offsets with scores and the recorded words, and reads them back exactly', () => {
    const docs = [
      {
        tokens: ['🙂', 'Zoë', 'works', 'for', 'ACME', "'s", 'unit', '.'],
        entities: [
          { type: 'Peop', start: 1, end: 2, score: 0.5 },
          { type: 'Org', start: 4, end: 5, score: 0.75 },
        ],
        relations: [{ type: 'Work_For', head: 0, tail: 1, score: 0.25 }],
        orig_id: 'x1',
      },
    ];
    const jsonl = formatDoccano(docs);
    const rec = JSON.parse(jsonl) as { text: string; entities: unknown[]; relations: unknown[] };
    expect(rec.text).toBe("🙂 Zoë works for ACME 's unit .");
    expect(rec.entities).toEqual([
      { id: 1, label: 'Peop', start_offset: 2, end_offset: 5, score: 0.5 },
      { id: 2, label: 'Org', start_offset: 16, end_offset: 20, score: 0.75 },
    ]);
    expect(rec.relations).toEqual([{ id: 1, from_id: 1, to_id: 2, type: 'Work_For', score: 0.25 }]);
    const back = alignDocuments(parseDoccano(jsonl, { source: 'x.jsonl' }));
    expect(back.problems).toEqual([]);
    expect(back.documents).toEqual(docs);
  });
});
