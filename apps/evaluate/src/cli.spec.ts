import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readDataset, readTypes, writeDataset, type Document, type PredictionRecord } from '@spert/core';
import { evaluate, formatEvaluation } from '@spert/evaluator';
import { sharedPath } from '../../../tools/testing/shared';
import { runEvalCli } from './cli';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const fixture = () => sharedPath('fixtures', 'spert-scratch-conll04');

describe('spert-eval', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-eval-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('eval: scores the reference model on CoNLL04 test documents as the reference predictions score', async () => {
    const types = await readTypes({ path: conll('conll04_types.json') });
    const gold = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 12);
    await writeDataset({ path: path.join(dir, 'gold.json'), documents: gold });
    const out = await runEvalCli(['eval', '--model', fixture(), '--types', conll('conll04_types.json'), '--dataset', path.join(dir, 'gold.json'), '--out', path.join(dir, 'eval'), '--backend', 'wasm'], () => undefined);
    const reference = (JSON.parse(await readFile(path.join(fixture(), 'predictions_test.json'), 'utf8')) as Document[]).slice(0, 12);
    expect(out.trim()).toBe(formatEvaluation(evaluate({ gold, predicted: reference, types })).trim());
    expect((await readdir(path.join(dir, 'eval'))).sort()).toEqual(['eval_gold.csv', 'eval_gold.txt', 'examples_gold.html', 'metrics_gold.json', 'predictions_gold.json']);
  });

  it('eval --entities given: relations over the gold entities, scored as predict --entities given scores', async () => {
    const types = await readTypes({ path: conll('conll04_types.json') });
    const gold = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 12);
    await writeDataset({ path: path.join(dir, 'gold-given.json'), documents: gold });
    const model = ['--model', fixture(), '--types', conll('conll04_types.json'), '--backend', 'wasm'];
    const dataset = path.join(dir, 'gold-given.json');
    /** `eval --entities mode`'s printed tables, and the scores of `predict --entities mode`'s records. */
    const evalAndPredict = async (mode: string) => {
      const printed = await runEvalCli(['eval', ...model, '--dataset', dataset, '--entities', mode], () => undefined);
      const output = path.join(dir, `${mode}-records.json`);
      await runEvalCli(['predict', ...model, '--input', dataset, '--output', output, '--entities', mode], () => undefined);
      const records = JSON.parse(await readFile(output, 'utf8')) as Document[];
      return { printed, result: evaluate({ gold, predicted: records, types }) };
    };
    const given = await evalAndPredict('given');
    // The gold entities come back verbatim: NER is perfect by construction.
    expect(given.result.ner.micro.f1).toBe(100);
    expect(given.result.relNec.micro.f1).toBeGreaterThan(0);
    expect(given.printed.trim()).toBe(formatEvaluation(given.result).trim());

    // merged: every gold entity kept beside the model's own, so NER recall is complete and
    // precision pays for the model's extra spans; again the same scores as predict's records.
    const merged = await evalAndPredict('merged');
    expect(merged.result.ner.micro.recall).toBe(100);
    expect(merged.result.ner.micro.f1).toBeLessThan(100);
    expect(merged.printed.trim()).toBe(formatEvaluation(merged.result).trim());
  });

  it('predict: takes {tokens}, word arrays and raw text; raw text gets character offsets', async () => {
    const input = [{ tokens: ['John', 'Smith', 'works', 'for', 'IBM', '.'] }, ['Paris', 'is', 'in', 'France', '.'], 'Mary Jones lives in Boston.'];
    await writeFile(path.join(dir, 'in.json'), JSON.stringify(input));
    await runEvalCli(['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'in.json'), '--output', path.join(dir, 'out.json'), '--backend', 'wasm'], () => undefined);
    const out = JSON.parse(await readFile(path.join(dir, 'out.json'), 'utf8')) as PredictionRecord[];
    expect(out.map((d) => d.tokens)).toEqual([input[0] && (input[0] as { tokens: string[] }).tokens, input[1], ['Mary', 'Jones', 'lives', 'in', 'Boston', '.']]);
    expect(out[2].offsets).toEqual([[0, 4], [5, 10], [11, 16], [17, 19], [20, 26], [26, 27]]);
    // the reference model finds entities in these sentences; every one carries a probability
    const entities = out.flatMap((d) => d.entities);
    expect(entities.length).toBeGreaterThan(0);
    for (const e of entities) expect(e.score).toBeGreaterThan(0);
    // one record for every surface: covered text for every entity, character spans for raw text
    out.forEach((d, i) => d.entities.forEach((e) => expect(e.text).toBe(i === 2 ? (input[2] as string).slice(e.charStart, e.charEnd) : d.tokens.slice(e.start, e.end).join(' '))));
    expect(Object.keys(out[2]!)).toEqual(['tokens', 'offsets', 'entities', 'relations']);
  });

  it('predict --entities given: the gold entities of CoNLL04 test come back verbatim with relations among them; --no-relations gives none', async () => {
    const types = await readTypes({ path: conll('conll04_types.json') });
    const gold = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 8);
    await writeFile(path.join(dir, 'given.json'), JSON.stringify(gold));
    const base = ['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'given.json'), '--backend', 'wasm'];
    await runEvalCli([...base, '--output', path.join(dir, 'given-out.json'), '--entities', 'given'], () => undefined);
    const out = JSON.parse(await readFile(path.join(dir, 'given-out.json'), 'utf8')) as PredictionRecord[];
    out.forEach((p, i) => {
      expect(p.entities).toEqual(gold[i].entities.map((e) => ({ ...e, text: gold[i].tokens.slice(e.start, e.end).join(' '), score: 1, given: true })));
      for (const r of p.relations) expect([r.head, r.tail].every((k) => k >= 0 && k < gold[i].entities.length)).toBe(true);
    });
    // Handed the gold entities, the reference-trained model finds more gold relations than when it predicts the entities itself.
    const key = (p: Document, r: { head: number; tail: number; type: string }) => {
      const [h, t] = [p.entities[r.head], p.entities[r.tail]];
      return `${h.start}:${h.end}:${h.type}|${t.start}:${t.end}:${t.type}|${r.type}`;
    };
    const hits = (docs: PredictionRecord[]) => docs.reduce((n, p, i) => n + p.relations.filter((r) => gold[i].relations.some((g) => key(gold[i], g) === key(p, r))).length, 0);
    await runEvalCli([...base, '--output', path.join(dir, 'plain-out.json')], () => undefined);
    const plain = JSON.parse(await readFile(path.join(dir, 'plain-out.json'), 'utf8')) as PredictionRecord[];
    expect(plain.every((p) => p.entities.every((e) => e.given === undefined))).toBe(true);
    expect(hits(out)).toBeGreaterThan(hits(plain));
    // --no-relations: entities only.
    await runEvalCli([...base, '--output', path.join(dir, 'ner-out.json'), '--no-relations'], () => undefined);
    const ner = JSON.parse(await readFile(path.join(dir, 'ner-out.json'), 'utf8')) as PredictionRecord[];
    expect(ner.every((p) => p.relations.length === 0)).toBe(true);
    expect(ner.map((p) => p.entities)).toEqual(plain.map((p) => p.entities));
  });

  it('fails clearly on a bad input and on a model directory without types', async () => {
    await writeFile(path.join(dir, 'bad.json'), JSON.stringify([{ words: [] }]));
    await expect(runEvalCli(['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'bad.json'), '--output', path.join(dir, 'x.json')], () => undefined)).rejects.toThrow(/bad\.json/);
    await expect(runEvalCli(['eval', '--model', fixture(), '--dataset', conll('conll04_test.json')], () => undefined)).rejects.toThrow(/types/);
  });

  it('predict: a document longer than the encoder is predicted in windows', async () => {
    await writeFile(path.join(dir, 'long.json'), JSON.stringify([['a', 'b'], Array.from({ length: 600 }, (_, i) => `w${i}`)]));
    await runEvalCli(['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'long.json'), '--output', path.join(dir, 'y.json'), '--backend', 'wasm'], () => undefined);
    const out = JSON.parse(await readFile(path.join(dir, 'y.json'), 'utf8')) as PredictionRecord[];
    expect(out[1].tokens).toHaveLength(600);
    expect(out[1].windows).toBeGreaterThan(1);
    const args = ['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'long.json'), '--output', path.join(dir, 'z.json'), '--backend', 'wasm'];
    await expect(runEvalCli([...args, '--on-too-long', 'error'], () => undefined)).rejects.toThrow(/long\.json: document 1 is too long for the encoder: 600 words/);
    await expect(readFile(path.join(dir, 'z.json'))).rejects.toThrow(/ENOENT/);
    await expect(runEvalCli([...args, '--on-too-long', 'split'], () => undefined)).rejects.toThrow(/--on-too-long.*split.*window, error, truncate/);
    await runEvalCli([...args, '--window', '100', '--stride', '50', '--window-unit', 'words'], () => undefined);
    const small = JSON.parse(await readFile(path.join(dir, 'z.json'), 'utf8')) as PredictionRecord[];
    expect(small[1].windows).toBe(11);
  });

  it('eval: says there is no model directory at --model and what one holds', async () => {
    await expect(runEvalCli(['eval', '--model', path.join(dir, 'nope'), '--dataset', conll('conll04_test.json')], () => undefined)).rejects.toThrow(
      /^--model .*nope: there is no model directory there .*; a model directory holds config\.json, the weights/,
    );
    await mkdir(path.join(dir, 'broken-model'), { recursive: true });
    await writeFile(path.join(dir, 'broken-model', 'config.json'), '{"hidden_size": "12\n8"}');
    await expect(runEvalCli(['eval', '--model', path.join(dir, 'broken-model'), '--dataset', conll('conll04_test.json')], () => undefined)).rejects.toThrow(
      `${path.join(dir, 'broken-model', 'config.json')} (model config) is not valid JSON: Bad control character`,
    );
  });

  it('eval: --lenient skips bad gold documents and says how many and why; strict names the flag; an empty dataset is a loud warning', async () => {
    const types = await readTypes({ path: conll('conll04_types.json') });
    const gold = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 3);
    const bad = { tokens: ['x'], entities: [{ type: 'Nope', start: 0, end: 1 }], relations: [] };
    await writeFile(path.join(dir, 'mixed.json'), JSON.stringify([gold[0], bad, gold[1], gold[2]]));
    const args = (file: string, ...more: string[]) => ['eval', '--model', fixture(), '--types', conll('conll04_types.json'), '--dataset', path.join(dir, file), '--backend', 'wasm', ...more];
    await expect(runEvalCli(args('mixed.json'), () => undefined)).rejects.toThrow('mixed.json: 1 problem(s) in 1 document(s) (run again with --lenient to skip bad documents):');
    const lines: string[] = [];
    const lenient = await runEvalCli(args('mixed.json', '--lenient'), (l) => lines.push(l));
    expect(lines).toContain(`${path.join(dir, 'mixed.json')}: skipped 1 of 4 document(s) with errors (1 problem(s)):\n  - mixed.json: document 1, entities[0].type: unknown entity type "Nope" (known: Loc, Org, Peop, Other)`);
    await writeDataset({ path: path.join(dir, 'three.json'), documents: gold });
    expect(lenient).toBe(await runEvalCli(args('three.json'), () => undefined));

    await writeFile(path.join(dir, 'empty.json'), '[]');
    lines.length = 0;
    await runEvalCli(args('empty.json'), (l) => lines.push(l));
    expect(lines).toContain(`WARNING: ${path.join(dir, 'empty.json')}: the gold dataset is empty: the file holds no documents ([]); every score below is 0`);
  });

  it('prints one backend line by default and the kernel fixes with --verbose', async () => {
    await writeFile(path.join(dir, 'one.json'), JSON.stringify([['Paris', 'is', 'nice', '.']]));
    const run = async (...more: string[]) => {
      const lines: string[] = [];
      await runEvalCli(['predict', '--model', fixture(), '--types', conll('conll04_types.json'), '--input', path.join(dir, 'one.json'), '--output', path.join(dir, 'one-out.json'), '--backend', 'wasm', ...more], (l) => lines.push(l));
      return lines.filter((l) => l.startsWith('backend:'));
    };
    const [quiet] = await run();
    expect(quiet).toMatch(/^backend: wasm .*kernel fix\(es\) active$/);
    const [verbose] = await run('--verbose');
    expect(verbose.split('\n')[0]).toBe(quiet);
    expect(verbose).toMatch(/\nkernel fixes:\n {2}- /);
  });

  it('throws commander errors without printing them, and "name a command" once', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(runEvalCli(['eval', '--model', 'm', '--dataset', 'd', '--bogus-flag'])).rejects.toThrow(expect.objectContaining({ code: 'commander.unknownOption' }));
      await expect(runEvalCli([])).rejects.toThrow(/^name a command: eval or predict \(see spert-eval --help\)$/);
      await expect(runEvalCli(['--model', 'm'])).rejects.toThrow(/^name a command/);
      expect(write).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
  });

  it('predict: names an input file that is not JSON', async () => {
    await writeFile(path.join(dir, 'broken.json'), '[{"tokens": ["a"]');
    await expect(runEvalCli(['predict', '--model', fixture(), '--input', path.join(dir, 'broken.json'), '--output', path.join(dir, 'z.json')], () => undefined)).rejects.toThrow(
      `${path.join(dir, 'broken.json')} (prediction input) is not valid JSON`,
    );
  });
});
