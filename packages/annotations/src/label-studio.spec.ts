import { alignDocuments } from './align';
import { labelStudioConfig, parseLabelStudio, toLabelStudioTasks, type LabelStudioTask } from './label-studio';
import { labelStudioTaskErrors } from './label-studio-format';

const TEXT = 'Zoë 😀 met Jean-Luc Picard in Zürich.';
const at = (s: string) => ({ start: TEXT.indexOf(s), end: TEXT.indexOf(s) + s.length, text: s });
const region = (id: string, s: string, label: string | string[]) => ({
  id,
  from_name: 'label',
  to_name: 'text',
  type: 'labels',
  value: { ...at(s), labels: Array.isArray(label) ? label : [label] },
});

const EXPORT = [
  {
    id: 11,
    data: { text: TEXT },
    annotations: [
      {
        id: 1,
        completed_by: 1,
        updated_at: '2024-01-01T10:00:00Z',
        result: [region('a', 'Zoë', 'Peop'), region('b', 'Zürich', 'Loc'), { type: 'relation', from_id: 'a', to_id: 'b', direction: 'right', labels: ['Live_In'] }],
      },
      {
        id: 2,
        completed_by: { id: 2, email: 'ann@example.org' },
        updated_at: '2024-02-01T10:00:00Z',
        result: [
          region('c', 'Jean-Luc Picard', ['Peop', 'Other']),
          region('d', 'Jean-Lu', 'Peop'), // ends inside the word "Jean-Luc"
          region('e', 'Zürich', 'Loc'),
          { type: 'relation', from_id: 'e', to_id: 'c', direction: 'left', labels: ['Live_In'] }, // left: c -> e
          { id: 'x', from_name: 'mood', to_name: 'text', type: 'choices', value: { choices: ['calm'] } },
        ],
      },
      { id: 3, completed_by: 3, was_cancelled: true, result: [region('z', 'met', 'Other')] },
    ],
  },
  { id: 12, data: { body: 'no text field' }, annotations: [] },
  { id: 13, data: { text: 'Nothing here.' }, annotations: [] },
];

describe('Label Studio import', () => {
  it('with several annotators takes the first by default and reports it', () => {
    const { documents, problems } = parseLabelStudio(EXPORT, { source: 'export.json' });
    expect(documents.map((d) => d.id)).toEqual(['11', '13']);
    expect(problems.map((p) => [p.kind, p.document])).toEqual([
      ['several-annotations', '11'],
      ['malformed', '12'],
      ['no-annotation', '13'],
    ]);
    expect(problems[0].message).toBe('2 annotations (by 1, 2): took the first (by 1); choose one with annotator');
    expect(problems[1].message).toBe('data.text is not a string (data keys: body; pick the text with textField): skipped');
    const r = alignDocuments({ documents, problems });
    expect(r.documents[0]).toEqual({
      tokens: ['Zoë', '😀', 'met', 'Jean-Luc', 'Picard', 'in', 'Zürich', '.'],
      entities: [
        { type: 'Peop', start: 0, end: 1 },
        { type: 'Loc', start: 6, end: 7 },
      ],
      relations: [{ type: 'Live_In', head: 0, tail: 1 }],
      orig_id: '11',
    });
    expect(r.documents[1]).toEqual({ tokens: ['Nothing', 'here', '.'], entities: [], relations: [], orig_id: '13' });
  });

  it('annotator (by e-mail or id) picks one; "left" relations point from to_id to from_id; multi-label regions give one entity per label', () => {
    for (const annotator of ['ann@example.org', '2']) {
      const { documents, problems } = parseLabelStudio(EXPORT, { source: 'export.json', annotator });
      const r = alignDocuments({ documents: documents.slice(0, 1), problems, boundaries: 'report' });
      expect(r.documents[0].entities).toEqual([
        { type: 'Peop', start: 3, end: 5 },
        { type: 'Other', start: 3, end: 5 },
        { type: 'Loc', start: 6, end: 7 },
      ]);
      expect(r.documents[0].relations).toEqual([{ type: 'Live_In', head: 0, tail: 2 }]);
      expect(r.problems.map((p) => [p.kind, p.document, p.annotation, p.text])).toEqual([
        ['skipped-annotation', '11', 'x', undefined],
        ['malformed', '12', undefined, undefined],
        ['no-annotation', '13', undefined, undefined],
        ['boundary-inside-word', '11', 'd', 'Jean-Lu'],
      ]);
      expect(r.problems[2].message).toBe('no annotation by annotator ' + annotator + ' (annotators here: none): skipped');
    }
    const latest = parseLabelStudio(EXPORT, { source: 'export.json', pick: 'latest' });
    expect(latest.problems[0].message).toBe('2 annotations (by 1, 2): took the latest (by 2); choose one with annotator');
    const none = parseLabelStudio(EXPORT, { source: 'export.json', annotator: '3' });
    expect(none.problems[0].message).toBe('no annotation by annotator 3 (annotators here: 1, 2, ann@example.org): skipped');
  });

  it('offsets are UTF-16 code units (after the emoji they differ from code points)', () => {
    const { documents } = parseLabelStudio(EXPORT, { source: 'export.json' });
    const loc = documents[0].entities[1];
    expect(TEXT.slice(...loc.fragments[0])).toBe('Zürich');
    // read as code points the same numbers point one character off, and the stored text says so
    const wrong = parseLabelStudio(EXPORT.slice(0, 1), { source: 'export.json', offsets: 'code-points' });
    const r = alignDocuments({ documents: wrong.documents });
    expect(r.problems.filter((p) => p.kind === 'text-mismatch').map((p) => p.annotation)).toEqual(['b']);
  });

  it('reads predictions instead of annotations when asked', () => {
    const tasks = toLabelStudioTasks([{ tokens: ['Zoë', 'lives', 'in', 'Paris'], entities: [{ type: 'Peop', start: 0, end: 1, score: 0.9 }], relations: [] }]);
    const { documents } = parseLabelStudio(tasks, { source: 't.json', from: 'predictions' });
    expect(documents[0].entities).toMatchObject([{ type: 'Peop', score: 0.9 }]);
    expect(parseLabelStudio(tasks, { source: 't.json' }).problems.map((p) => p.kind)).toEqual(['no-annotation']);
    expect(() => parseLabelStudio('x', { source: 't.json' })).toThrow('t.json: a Label Studio export is a JSON array of tasks, got string');
  });
});

describe('Label Studio export', () => {
  const types = {
    entities: ['Loc', 'Org', 'Peop', 'Other'].map((key, i) => ({ key, index: i + 1, short: key, verbose: key })),
    relations: ['Work_For', 'Live_In'].map((key, i) => ({ key, index: i + 1, short: key, verbose: key, symmetric: false })),
  };
  const predicted = [
    {
      tokens: ['Zoë', '😀', 'works', 'for', 'ACME', 'in', 'Zürich', '.'],
      entities: [
        { type: 'Peop', start: 0, end: 1, score: 0.91 },
        { type: 'Org', start: 4, end: 5, score: 0.62 },
        { type: 'Loc', start: 6, end: 7, score: 0.88 },
      ],
      relations: [{ type: 'Work_For', head: 0, tail: 1, score: 0.55 }],
    },
    { tokens: ['Nothing', '.'], entities: [], relations: [] },
  ];

  it('predictions become pre-annotations with scores that pass the documented task format', () => {
    const tasks = toLabelStudioTasks(predicted, { modelVersion: 'conll04-run-1' });
    expect(labelStudioTaskErrors(tasks, labelStudioConfig(types))).toEqual([]);
    expect(tasks[0].predictions?.[0]).toMatchObject({ model_version: 'conll04-run-1', score: 0.55 });
    expect(tasks[0].predictions?.[0].result[1]).toEqual({
      id: 'd0e1',
      from_name: 'label',
      to_name: 'text',
      type: 'labels',
      value: { start: 17, end: 21, text: 'ACME', labels: ['Org'], score: 0.62 },
    });
    expect(tasks[1].predictions?.[0]).toMatchObject({ score: 0, result: [] });
    expect(tasks[0].annotations).toBeUndefined();
  });

  it('the validator catches what Label Studio would reject', () => {
    const tasks = toLabelStudioTasks(predicted);
    const config = labelStudioConfig(types);
    const broken = JSON.parse(JSON.stringify(tasks)) as LabelStudioTask[];
    delete (broken[0].predictions?.[0] as { score?: number }).score;
    expect(labelStudioTaskErrors(broken, config)).toEqual(['/0/predictions/0 must have required property \'score\'']);
    const unknown = JSON.parse(JSON.stringify(tasks)) as LabelStudioTask[];
    (unknown[0].predictions?.[0].result[0] as { value: { labels: string[] } }).value.labels = ['Person'];
    expect(labelStudioTaskErrors(unknown, config)).toEqual(['task 0: label Person not in the config']);
    expect(labelStudioTaskErrors(tasks, config.replace('name="label"', 'name="ner"'))).toHaveLength(3);
  });

  it('gold documents become annotations; the config lists every type', () => {
    const tasks = toLabelStudioTasks(predicted.map((d) => ({ ...d, entities: d.entities.map(({ score: _s, ...e }) => e), relations: d.relations.map(({ score: _s, ...r }) => r) })));
    expect(tasks[0].predictions).toBeUndefined();
    expect(tasks[0].annotations?.[0].result).toHaveLength(4);
    expect(labelStudioTaskErrors(tasks, labelStudioConfig(types))).toEqual([]);
    expect(labelStudioConfig(types)).toBe(
      [
        '<View>',
        '  <Relations>',
        '    <Relation value="Work_For"/>',
        '    <Relation value="Live_In"/>',
        '  </Relations>',
        '  <Labels name="label" toName="text">',
        '    <Label value="Loc"/>',
        '    <Label value="Org"/>',
        '    <Label value="Peop"/>',
        '    <Label value="Other"/>',
        '  </Labels>',
        '  <Text name="text" value="$text"/>',
        '</View>',
        '',
      ].join('\n'),
    );
  });
});
