import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { documentConfidence } from '@spert/annotations';
import { useBackend } from '@spert/backend';
import { readDataset, readTypes } from '@spert/core';
import { SpertModel } from '@spert/model';
import { sharedPath } from '../../../tools/testing/shared';
import { runDataCli } from './cli';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const modelDir = () => sharedPath('fixtures', 'spert-scratch-conll04');

describe('spert-data select', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-select-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps the N documents with the lowest confidence (the least sure entity or relation), least confident first', async () => {
    const types = await readTypes({ path: conll('conll04_types.json') });
    const texts = (await readDataset({ path: conll('conll04_test.json'), types })).documents.slice(0, 30).map((d) => d.tokens.join(' '));
    texts.push('😀 Zoë Smith 👨‍💻 works for 𠮷野家 in Zürich .');
    const pool = path.join(dir, 'pool.jsonl');
    const lines = texts.map((text, i) => JSON.stringify({ id: `doc-${i}`, text, source: 'news' }));
    lines.splice(3, 0, '', '{"id": "broken", "text": 42}'); // a blank line, and a bad one: reported, skipped
    await writeFile(pool, `${lines.join('\n')}\n`);
    const logged: string[] = [];
    const out = path.join(dir, 'selected.jsonl');
    const summary = await runDataCli(['select', '--model', modelDir(), '--pool', pool, '--n', '5', '--out', out, '--types', conll('conll04_types.json')], (s) => logged.push(s));
    const selected = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string; source: string; confidence: number });
    expect(selected).toHaveLength(5);
    expect(summary).toMatch(/^selected 5 of 31 documents, least confident first \(confidence [\d.]+ to [\d.]+\); 1 bad lines skipped; wrote .*selected\.jsonl\n$/);
    expect(logged).toEqual([`${pool}:5.text: expected a string, got number 42: skipped`]);

    // The same ranking computed here from the model's own predictions.
    await useBackend('auto');
    const model = await SpertModel.load({ dir: modelDir(), types });
    const predictions = await model.asPredictor().predict(texts.map((text) => ({ kind: 'text', text })));
    model.dispose();
    const confidences = predictions.map(documentConfidence);
    const expected = confidences.map((c, i) => ({ c, i })).sort((a, b) => a.c - b.c || a.i - b.i).slice(0, 5);
    expect(selected.map((s) => s.id)).toEqual(expected.map((e) => `doc-${e.i}`));
    expect(selected.map((s) => s.confidence)).toEqual(expected.map((e) => e.c));
    expect(selected.every((s) => s.source === 'news' && s.text === texts[Number(s.id.slice(4))])).toBe(true);
    const rest = confidences.filter((_, i) => !expected.some((e) => e.i === i));
    expect(Math.min(...rest)).toBeGreaterThanOrEqual(selected[4].confidence);
  }, 120_000);

  it('reads plain text pools, prints the selection on stdout and says what is wrong with its flags', async () => {
    const pool = path.join(dir, 'pool.txt');
    await writeFile(pool, 'John Smith works for IBM in Armonk .\nMary lives in Boston .\n\nThe weather was fine .\n');
    const logged: string[] = [];
    const types = conll('conll04_types.json');
    const printed = await runDataCli(['select', '--model', modelDir(), '--types', types, '--pool', pool, '--n', '2'], (s) => logged.push(s));
    const rows = printed.trim().split('\n').map((l) => JSON.parse(l) as { id: number; text: string; confidence: number });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => typeof r.id === 'number' && typeof r.text === 'string')).toBe(true);
    expect(rows[0].confidence).toBeLessThanOrEqual(rows[1].confidence);
    expect(logged[0]).toMatch(/^selected 2 of 3 documents/);
    await expect(runDataCli(['select', '--model', modelDir(), '--types', types, '--pool', pool, '--n', '0'], () => undefined)).rejects.toThrow('--n: expected an integer from 1 to 10000000, got "0"');
    await expect(runDataCli(['select', '--model', path.join(dir, 'nope'), '--pool', pool, '--n', '2'], () => undefined)).rejects.toThrow(/--model/);
  }, 120_000);
});
