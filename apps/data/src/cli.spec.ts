import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AnnotationProblem, LabelStudioTask } from '@spert/annotations';
import { useBackend } from '@spert/backend';
import { readDataset, readTypes, writeFileAtomic, type Document } from '@spert/core';
import { SpertModel } from '@spert/model';
import { splitWords } from '@spert/tokenizer';
import { labelStudioTaskErrors } from '@spert/annotations';
import { sharedPath } from '../../../tools/testing/shared';
import { runDataCli } from './cli';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);

describe('spert-data convert', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-data-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('brat -> spert: documents, a types file, the summary, and every problem with file and line', async () => {
    const brat = path.join(dir, 'brat');
    await mkdir(brat);
    const text = 'Zoë Smith works for ACME Corp. in Zürich. She lives in Bern.';
    const off = (s: string) => `${text.indexOf(s)} ${text.indexOf(s) + s.length}`; // no astral characters: code points = UTF-16
    await writeFile(path.join(brat, 'news.txt'), text);
    await writeFile(
      path.join(brat, 'news.ann'),
      [
        `T1\tPeop ${off('Zoë Smith')}\tZoë Smith`,
        `T2\tOrg ${off('ACME Corp')}\tACME Corp`,
        `T3\tLoc ${off('Zürich')}\tZürich`,
        `T4\tLoc ${off('Bern')}\tBern`,
        'R1\tWork_For Arg1:T1 Arg2:T2',
        'R2\tLive_In Arg1:T1 Arg2:T4',
        'A1\tNegated T1',
      ].join('\n'),
    );
    const logged: string[] = [];
    const out = await runDataCli(
      ['convert', '--from', 'brat', '--to', 'spert', '--in', brat, '--out', path.join(dir, 'news.json'), '--boundaries', 'snap', '--sentences', 'sentences', '--problems', path.join(dir, 'problems.jsonl')],
      (s) => logged.push(s),
    );
    expect(out).toBe(
      [
        'input documents: 1',
        'documents: 2',
        'entities: 4',
        'relations: 1',
        'problems: 3',
        '  cross-sentence-relation: 1',
        '  skipped-annotation: 1',
        '  snapped-to-word: 1',
        `wrote 2 document(s), 4 entities, 1 relations (spert): ${path.join(dir, 'news.json')}, ${path.join(dir, 'news_types.json')}, ${path.join(dir, 'problems.jsonl')}`,
        '',
      ].join('\n'),
    );
    const types = await readTypes({ path: path.join(dir, 'news_types.json') });
    expect(types.entities.map((t) => t.key)).toEqual(['Peop', 'Org', 'Loc']);
    const { documents } = await readDataset({ path: path.join(dir, 'news.json'), types });
    expect(documents).toEqual([
      {
        tokens: ['Zoë', 'Smith', 'works', 'for', 'ACME', 'Corp.', 'in', 'Zürich', '.'],
        entities: [
          { type: 'Peop', start: 0, end: 2 },
          { type: 'Org', start: 4, end: 6 },
          { type: 'Loc', start: 7, end: 8 },
        ],
        relations: [{ type: 'Work_For', head: 0, tail: 1 }],
        orig_id: 'news#1',
      },
      { tokens: ['She', 'lives', 'in', 'Bern', '.'], entities: [{ type: 'Loc', start: 3, end: 4 }], relations: [], orig_id: 'news#2' },
    ]);
    expect(logged).toEqual([
      'news.ann:7: document news, A1 "A1\\tNegated T1": an attribute line: SpERT has no place for it, skipped [skipped-annotation]',
      'news.ann:2: document news, T2 "ACME Corp": its end falls inside a word: widened to "ACME Corp." [snapped-to-word]',
      'news.ann:6: document news, R2: Live_In from "Zoë Smith" to "Bern" crosses sentences: left out (keep sentences: \'document\' to keep it) [cross-sentence-relation]',
    ]);
    const problems = (await readFile(path.join(dir, 'problems.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as AnnotationProblem);
    expect(problems.map((p) => [p.kind, p.source, p.line, p.annotation])).toEqual([
      ['skipped-annotation', 'news.ann', 7, 'A1'],
      ['snapped-to-word', 'news.ann', 2, 'T2'],
      ['cross-sentence-relation', 'news.ann', 6, 'R2'],
    ]);
  });

  it('a prediction run on raw text exported as Label Studio pre-annotations is valid task JSON, and reads back', async () => {
    // A real run: the CoNLL04 fixture model predicts raw text split by splitWords, as `spert-eval predict` does.
    await useBackend('wasm');
    const types = await readTypes({ path: conll('conll04_types.json') });
    const model = await SpertModel.load({ dir: sharedPath('fixtures', 'spert-scratch-conll04'), types });
    const texts = [
      'An art exhibit at the Hakawati Theatre in Arab east Jerusalem was a series of portraits of Palestinians killed in the rebellion.',
      'John Smith, a spokesman for IBM in Armonk, N.Y., said the company would hire 500 people.',
      'Mary  Jones lives in\nBoston.',
    ];
    const spans = texts.map((t) => splitWords(t));
    let predicted;
    try {
      predicted = await model.predict(spans.map((s) => s.map((w) => w.text)), { source: 'texts' });
    } finally {
      model.dispose();
    }
    const run = predicted.map((p, i) => ({ ...p, text: texts[i], offsets: spans[i].map((w): [number, number] => [w.start, w.end]) }));
    expect(run.reduce((n, d) => n + d.entities.length, 0)).toBeGreaterThan(0);
    await writeFileAtomic({ path: path.join(dir, 'predictions.json'), data: JSON.stringify(run) });

    const tasksPath = path.join(dir, 'tasks.json');
    const configPath = path.join(dir, 'config.xml');
    const out = await runDataCli(
      ['convert', '--from', 'spert', '--to', 'label-studio', '--in', path.join(dir, 'predictions.json'), '--types', conll('conll04_types.json'), '--out', tasksPath, '--config', configPath, '--model-version', 'scratch-conll04'],
      () => undefined,
    );
    expect(out).toMatch(/^wrote 3 document\(s\), \d+ entities, \d+ relations \(label-studio\): /);
    const tasks = JSON.parse(await readFile(tasksPath, 'utf8')) as LabelStudioTask[];
    expect(labelStudioTaskErrors(tasks, await readFile(configPath, 'utf8'))).toEqual([]);
    // pre-annotations on the raw text itself (the double space and the line break stay), each region with its score
    expect(tasks.map((t) => t.data.text)).toEqual(texts);
    tasks.forEach((t, i) => {
      expect(t.annotations).toBeUndefined();
      const [p] = t.predictions ?? [];
      expect(p.model_version).toBe('scratch-conll04');
      const regions = p.result.filter((r) => r.type === 'labels');
      expect(regions.map((r) => r.type === 'labels' && r.value.score)).toEqual(run[i].entities.map((e) => e.score));
      expect(p.score).toBe(Math.min(...run[i].entities.map((e) => e.score), ...run[i].relations.map((r) => r.score), ...(regions.length ? [] : [0])));
    });

    // the review loop closes: the (here uncorrected) pre-annotations come back as the same documents
    await runDataCli(['convert', '--from', 'label-studio', '--to', 'spert', '--read-predictions', '--schema', conll('conll04_types.json'), '--in', tasksPath, '--out', path.join(dir, 'reviewed.json')], () => undefined);
    const back = JSON.parse(await readFile(path.join(dir, 'reviewed.json'), 'utf8')) as Document[];
    expect(back.map((d) => d.tokens)).toEqual(run.map((d) => d.tokens));
    expect(back.map((d) => d.entities)).toEqual(run.map((d) => d.entities));
    expect(back.map((d) => d.relations.map(({ type, head, tail }) => ({ type, head, tail })))).toEqual(run.map((d) => d.relations.map(({ type, head, tail }) => ({ type, head, tail }))));
  });

  it('tool -> tool goes through SpERT: doccano JSONL from the Label Studio tasks', async () => {
    const gold = (await readDataset({ path: conll('conll04_test.json'), types: await readTypes({ path: conll('conll04_types.json') }) })).documents.slice(0, 20);
    await writeFileAtomic({ path: path.join(dir, 'gold.json'), data: JSON.stringify(gold) });
    await runDataCli(['convert', '--from', 'spert', '--to', 'label-studio', '--in', path.join(dir, 'gold.json'), '--out', path.join(dir, 'gold-ls.json')], () => undefined);
    await runDataCli(['convert', '--from', 'label-studio', '--to', 'doccano', '--in', path.join(dir, 'gold-ls.json'), '--out', path.join(dir, 'gold.jsonl')], () => undefined);
    await runDataCli(['convert', '--from', 'doccano', '--to', 'spert', '--in', path.join(dir, 'gold.jsonl'), '--out', path.join(dir, 'gold-back.json')], () => undefined);
    expect(JSON.parse(await readFile(path.join(dir, 'gold-back.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(gold)));
  });

  it('fails clearly on bad flags and bad input', async () => {
    const run = (args: string[]) => runDataCli(['convert', ...args], () => undefined);
    await expect(run(['--from', 'bratx', '--to', 'spert', '--in', 'x', '--out', 'y'])).rejects.toThrow('--from must be one of spert, brat, label-studio, doccano, got "bratx"');
    await expect(run(['--from', 'brat', '--to', 'brat', '--in', 'x', '--out', 'y'])).rejects.toThrow('--from and --to are both brat: nothing to convert');
    await expect(run(['--from', 'brat', '--to', 'spert', '--in', path.join(dir, 'nope'), '--out', 'y'])).rejects.toThrow(/cannot read the brat folder .*nope/);
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify([{ tokens: ['a'], entities: [{ type: 'X', start: 0, end: 3 }], relations: [] }]));
    await expect(run(['--from', 'spert', '--to', 'doccano', '--in', path.join(dir, 'bad.json'), '--out', path.join(dir, 'bad.jsonl')])).rejects.toThrow(/bad\.json: document 0, entities\[0\]\.end: 3 > number of tokens 1/);
    await writeFile(path.join(dir, 'ls.json'), '{not json');
    await expect(run(['--from', 'label-studio', '--to', 'spert', '--in', path.join(dir, 'ls.json'), '--out', 'y'])).rejects.toThrow(/ls\.json is not valid JSON/);
    await expect(runDataCli([], () => undefined)).rejects.toThrow('spert-data: name a command: convert, prepare-corpus or select (see --help)');
  });
});
