import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { alignDocuments } from './align';
import { bratAnnotationConf, formatBrat, parseBrat } from './brat';
import { importAnnotations } from './files';
import { formatAnnotationProblem } from './problems';

// Offsets as brat writes them: Unicode code points (Python), counted here independently of the code under test.
const cp = (text: string, sub: string, nth = 0): string => {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(sub, at + 1);
  if (at < 0) throw new Error(`test setup: ${sub} not in text`);
  const start = [...text.slice(0, at)].length;
  return `${start} ${start + [...sub].length}`;
};

const TEXT = 'Dr. Müller met 😀 Zoë in 東京. She works for ACME Corp.\nJohn Smith lives in New Yorkshire.';
const ANN = [
  `T1\tPeop ${cp(TEXT, 'Dr. Müller')}\tDr. Müller`,
  `T2\tPeop ${cp(TEXT, 'Zoë')}\tZoë`,
  `T3\tLoc ${cp(TEXT, '東京')}\t東京`,
  `T4\tOrg ${cp(TEXT, 'ACME Corp')}\tACME Corp`, // ends inside the word "Corp."
  `T5\tLoc ${cp(TEXT, 'New York')}\tNew York`, // ends inside "Yorkshire"
  `T6\tPeop ${cp(TEXT, 'John')};${cp(TEXT, 'Smith')}\tJohn Smith`, // discontinuous
  `T7\tLoc ${cp(TEXT, 'New Yorkshire')}\tNew Yorkshire`,
  `T8\tPeop ${cp(TEXT, 'Müller')}\tMüller`, // nested in T1
  'R1\tWork_For Arg1:T2 Arg2:T4', // crosses the sentence boundary after 東京.
  'R2\tLive_In Arg1:T6 Arg2:T7',
  'R3\tKill Arg1:T1 Arg2:T2',
  'R4\tLive_In Arg1:T8 Arg2:T3',
  'R5\tKill Arg1:T1 Arg2:T99',
  'E1\tMeet:T1 Agent:T2',
  'A1\tNegated E1',
  '#1\tAnnotatorNotes T1\tthe doctor',
  '*\tEquiv T1 T8',
  'T9\tPeop 5\tbroken',
  '',
].join('\n');

describe('brat standoff import', () => {
  const parsed = () => parseBrat({ text: TEXT, ann: ANN, id: 'doc1', source: 'doc1.ann' });

  it('reads T (with fragments) and R lines, reports E/A/#/* as skipped and bad lines as malformed, with line numbers', () => {
    const { document, problems } = parsed();
    expect(document.entities.map((e) => e.id)).toEqual(['T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8']);
    // code points became UTF-16 indices: after the emoji (two UTF-16 units) they differ by one
    const zoe = document.entities[1].fragments[0];
    expect(TEXT.slice(zoe[0], zoe[1])).toBe('Zoë');
    expect(document.entities[5].fragments.map(([s, e]) => TEXT.slice(s, e))).toEqual(['John', 'Smith']);
    expect(document.relations.map((r) => [r.id, r.type, r.head, r.tail])).toEqual([
      ['R1', 'Work_For', 'T2', 'T4'],
      ['R2', 'Live_In', 'T6', 'T7'],
      ['R3', 'Kill', 'T1', 'T2'],
      ['R4', 'Live_In', 'T8', 'T3'],
      ['R5', 'Kill', 'T1', 'T99'],
    ]);
    expect(problems.map((p) => [p.kind, p.line, p.annotation])).toEqual([
      ['skipped-annotation', 14, 'E1'],
      ['skipped-annotation', 15, 'A1'],
      ['skipped-annotation', 16, '#1'],
      ['skipped-annotation', 17, '*'],
      ['malformed', 18, 'T9'],
    ]);
    expect(formatAnnotationProblem(problems[4])).toMatch(/^doc1\.ann:18: document doc1, T9: expected "T<n>.*\[malformed\]$/);
  });

  it('default alignment: boundaries inside words and discontinuous entities are reported and left out, nested ones kept', () => {
    const { document, problems } = parsed();
    const r = alignDocuments({ documents: [document], problems });
    expect(r.documents).toHaveLength(1);
    const [d] = r.documents;
    expect(d.tokens).toEqual(['Dr.', 'Müller', 'met', '😀', 'Zoë', 'in', '東京', '.', 'She', 'works', 'for', 'ACME', 'Corp.', 'John', 'Smith', 'lives', 'in', 'New', 'Yorkshire', '.']);
    expect(d.entities).toEqual([
      { type: 'Peop', start: 0, end: 2 },
      { type: 'Peop', start: 4, end: 5 },
      { type: 'Loc', start: 6, end: 7 },
      { type: 'Loc', start: 17, end: 19 },
      { type: 'Peop', start: 1, end: 2 },
    ]);
    expect(d.relations).toEqual([
      { type: 'Kill', head: 0, tail: 1 },
      { type: 'Live_In', head: 4, tail: 2 },
    ]);
    expect(d.orig_id).toBe('doc1');
    const aligned = r.problems.slice(5);
    expect(aligned.map((p) => [p.kind, p.line, p.annotation, p.text])).toEqual([
      ['boundary-inside-word', 4, 'T4', 'ACME Corp'],
      ['boundary-inside-word', 5, 'T5', 'New York'],
      ['discontinuous-entity', 6, 'T6', 'John Smith'],
      ['dangling-relation', 9, 'R1', undefined],
      ['dangling-relation', 10, 'R2', undefined],
      ['dangling-relation', 13, 'R5', undefined],
    ]);
    expect(aligned[0].message).toContain('"ACME Corp."');
    expect(aligned[3].message).toBe('its tail T4 was left out (boundary-inside-word): left out');
    expect(aligned[5].message).toBe('its tail T99 is not an entity of this document: left out');
    expect(r.summary).toEqual({
      inputDocuments: 1,
      documents: 1,
      entities: 5,
      relations: 2,
      problems: { 'skipped-annotation': 4, malformed: 1, 'boundary-inside-word': 2, 'discontinuous-entity': 1, 'dangling-relation': 3 },
    });
    expect(r.types.entities.map((t) => t.key)).toEqual(['Peop', 'Loc']);
    expect(r.types.relations.map((t) => t.key)).toEqual(['Kill', 'Live_In']);
  });

  it('snap + join + sentences: widened entities, one span for the fragments, the cross-sentence relation reported', () => {
    const { document } = parsed();
    const r = alignDocuments({ documents: [document], boundaries: 'snap', discontinuous: 'join', sentences: 'sentences' });
    expect(r.documents.map((d) => d.tokens.join(' '))).toEqual([
      'Dr. Müller met 😀 Zoë in 東京 .',
      'She works for ACME Corp. John Smith lives in New Yorkshire .', // "Corp." keeps its period: no sentence end
    ]);
    expect(r.documents.map((d) => d.orig_id)).toEqual(['doc1#1', 'doc1#2']);
    expect(r.documents[0].entities).toEqual([
      { type: 'Peop', start: 0, end: 2 },
      { type: 'Peop', start: 4, end: 5 },
      { type: 'Loc', start: 6, end: 7 },
      { type: 'Peop', start: 1, end: 2 },
    ]);
    expect(r.documents[1].entities).toEqual([
      { type: 'Org', start: 3, end: 5 },
      { type: 'Loc', start: 9, end: 11 },
      { type: 'Peop', start: 5, end: 7 },
    ]);
    expect(r.documents[0].relations).toEqual([
      { type: 'Kill', head: 0, tail: 1 },
      { type: 'Live_In', head: 3, tail: 2 },
    ]);
    // T7 has the words and type T5 snapped to: one entity, and R2 follows it
    expect(r.documents[1].relations).toEqual([{ type: 'Live_In', head: 2, tail: 1 }]);
    expect(r.problems.filter((p) => p.kind !== 'skipped-annotation' && p.kind !== 'malformed').map((p) => [p.kind, p.annotation])).toEqual([
      ['snapped-to-word', 'T4'],
      ['snapped-to-word', 'T5'],
      ['discontinuous-entity', 'T6'],
      ['duplicate-entity', 'T7'],
      ['cross-sentence-relation', 'R1'],
      ['dangling-relation', 'R5'],
    ]);
    const cross = r.problems.find((p) => p.kind === 'cross-sentence-relation');
    expect(cross?.message).toBe('Work_For from "Zoë" to "ACME Corp." crosses sentences: left out (keep sentences: \'document\' to keep it)');
  });

  it("sentences: 'lines' cuts at the line break, so R1 stays inside one document", () => {
    const { document } = parsed();
    const r = alignDocuments({ documents: [document], boundaries: 'snap', sentences: 'lines' });
    expect(r.documents.map((d) => d.tokens.length)).toEqual([13, 7]);
    expect(r.documents[0].relations).toContainEqual({ type: 'Work_For', head: 1, tail: 3 });
    expect(r.problems.some((p) => p.kind === 'cross-sentence-relation')).toBe(false);
  });

  it('offsets in the wrong unit show up as text mismatches that say so', () => {
    // UTF-16 offsets (as a JavaScript tool would write) read as code points: off by one after the emoji
    const at = TEXT.indexOf('Zoë');
    const { document } = parseBrat({ text: TEXT, ann: `T1\tPeop ${at} ${at + 3}\tZoë\n`, id: 'd', source: 'd.ann' });
    const r = alignDocuments({ documents: [document] });
    expect(r.documents[0].entities).toEqual([]);
    expect(r.problems.map((p) => p.kind)).toEqual(['text-mismatch']);
    expect(r.problems[0].message).toMatch(/wrong offset unit/);
    const ok = alignDocuments({ documents: [parseBrat({ text: TEXT, ann: `T1\tPeop ${at} ${at + 3}\tZoë\n`, id: 'd', source: 'd.ann', offsets: 'utf16' }).document] });
    expect(ok.documents[0].entities).toEqual([{ type: 'Peop', start: 4, end: 5 }]);
  });

  it('a schema keeps its order and reports labels outside it', () => {
    const schema = {
      entities: [
        { key: 'Loc', index: 1, short: 'Loc', verbose: 'Location' },
        { key: 'Peop', index: 2, short: 'Peop', verbose: 'People' },
      ],
      relations: [{ key: 'Kill', index: 1, short: 'Kill', verbose: 'Kill', symmetric: false }],
    };
    const r = alignDocuments({ documents: [parsed().document], schema, boundaries: 'snap' });
    expect(r.types).toBe(schema);
    expect(r.problems.filter((p) => p.kind === 'unknown-type').map((p) => p.annotation)).toEqual(['T4', 'R1', 'R2', 'R4']);
  });

  it('reads a folder recursively in name order; a .txt without .ann converts with no entities, reported', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'brat-'));
    try {
      await mkdir(path.join(dir, 'sub'));
      await writeFile(path.join(dir, 'b.txt'), TEXT);
      await writeFile(path.join(dir, 'b.ann'), ANN);
      await writeFile(path.join(dir, 'a.txt'), 'Mary lives in Paris.');
      await writeFile(path.join(dir, 'sub', 'c.txt'), 'Paris is nice.');
      await writeFile(path.join(dir, 'sub', 'c.ann'), 'T1\tLoc 0 5\tParis\n');
      await writeFile(path.join(dir, 'annotation.conf'), bratAnnotationConf({ entities: [], relations: [] }));
      const r = await importAnnotations({ format: 'brat', path: dir, boundaries: 'snap' });
      expect(r.documents.map((d) => d.orig_id)).toEqual(['a', 'b', 'sub/c']);
      expect(r.documents[2].entities).toEqual([{ type: 'Loc', start: 0, end: 1 }]);
      expect(r.problems[0]).toMatchObject({ kind: 'no-annotation', source: 'a.txt', document: 'a' });
      await expect(importAnnotations({ format: 'brat', path: path.join(dir, 'missing') })).rejects.toThrow(/cannot read the brat folder .*missing/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('brat standoff export', () => {
  it('writes code-point offsets, the covered text, relations by T ids and scores as notes', () => {
    const doc = {
      tokens: ['😀', 'Zoë', 'works', 'for', 'ACME', '.'],
      entities: [
        { type: 'Peop', start: 1, end: 2, score: 0.9 },
        { type: 'Org', start: 4, end: 5, score: 0.8 },
      ],
      relations: [{ type: 'Work_For', head: 0, tail: 1, score: 0.7 }],
      orig_id: 7,
    };
    const f = formatBrat(doc);
    expect(f.txt).toBe('😀 Zoë works for ACME .\n');
    expect(f.ann.split('\n')).toEqual([
      'T1\tPeop 2 5\tZoë',
      'T2\tOrg 16 20\tACME',
      'R1\tWork_For Arg1:T1 Arg2:T2',
      '#1\tAnnotatorNotes T1\tscore 0.9',
      '#2\tAnnotatorNotes T2\tscore 0.8',
      '#3\tAnnotatorNotes R1\tscore 0.7',
      '',
    ]);
    expect(f.metadata).toEqual({ words: [[0, 1], [2, 5], [6, 11], [12, 15], [16, 20], [21, 22]], orig_id: 7 });
    const back = parseBrat({ text: f.txt, ann: f.ann, id: '0000', source: '0000.ann', metadata: f.metadata });
    const r = alignDocuments({ documents: [back.document], problems: back.problems });
    expect(r.documents).toEqual([{ tokens: doc.tokens, entities: [{ type: 'Peop', start: 1, end: 2 }, { type: 'Org', start: 4, end: 5 }], relations: [{ type: 'Work_For', head: 0, tail: 1 }], orig_id: 7 }]);
    expect(r.summary.problems).toEqual({ 'skipped-annotation': 3 });
  });

  it('annotation.conf lists the types and flags symmetric relations', () => {
    const conf = bratAnnotationConf({
      entities: [{ key: 'Task', index: 1, short: 'T', verbose: 'Task' }],
      relations: [
        { key: 'Used-for', index: 1, short: 'U', verbose: 'Used for', symmetric: false },
        { key: 'Compare', index: 2, short: 'C', verbose: 'Compare', symmetric: true },
      ],
    });
    expect(conf).toBe(
      '[entities]\nTask\n\n[relations]\nUsed-for\tArg1:<ENTITY>, Arg2:<ENTITY>\nCompare\tArg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric\n\n[events]\n\n[attributes]\n',
    );
  });
});
