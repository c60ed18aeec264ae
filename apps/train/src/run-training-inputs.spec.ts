import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { parseTrainArgs } from './cli';
import { runTraining } from './run-training';

const conll = (f: string) => sharedPath('datasets', 'conll04', f);
const tiny = ['--epochs', '1', '--hidden-size', '16', '--layers', '1', '--heads', '2', '--intermediate-size', '32', '--backend', 'wasm', '--no-progress'];

describe('runTraining inputs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-run-in-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses an empty training set naming the file, before creating the run directory', async () => {
    await writeFile(path.join(dir, 'empty.json'), '[]');
    const config = parseTrainArgs(['--train', path.join(dir, 'empty.json'), '--valid', conll('conll04_dev.json'), '--types', conll('conll04_types.json'), '--out', path.join(dir, 'run'), ...tiny]);
    await expect(runTraining(config, () => undefined)).rejects.toThrow(`${path.join(dir, 'empty.json')}: the training set is empty: the file holds no documents ([])`);
    await expect(stat(path.join(dir, 'run'))).rejects.toThrow(/ENOENT/);
  });

  it('names --lenient in strict errors; with --lenient reports the skipped documents; one backend line unless --verbose', async () => {
    const good = { tokens: ['John', 'lives', 'in', 'Paris', '.'], entities: [{ type: 'Peop', start: 0, end: 1 }, { type: 'Loc', start: 3, end: 4 }], relations: [{ type: 'Live_In', head: 0, tail: 1 }] };
    const bad = { tokens: ['x'], entities: [{ type: 'Nope', start: 0, end: 1 }], relations: [] };
    await writeFile(path.join(dir, 'train.json'), JSON.stringify([good, bad, good]));
    await writeFile(path.join(dir, 'valid.json'), JSON.stringify([good]));
    const args = ['--train', path.join(dir, 'train.json'), '--valid', path.join(dir, 'valid.json'), '--types', conll('conll04_types.json'), '--out', path.join(dir, 'run'), ...tiny];
    await expect(runTraining(parseTrainArgs(args), () => undefined)).rejects.toThrow('train.json: 1 problem(s) in 1 document(s) (run again with --lenient to skip bad documents):');
    const lines: string[] = [];
    await runTraining(parseTrainArgs([...args, '--lenient']), (l) => lines.push(l));
    expect(lines).toContain(`${path.join(dir, 'train.json')}: skipped 1 of 3 document(s) with errors (1 problem(s)):\n  - train.json: document 1, entities[0].type: unknown entity type "Nope" (known: Loc, Org, Peop, Other)`);
    expect(lines.find((l) => l.startsWith('backend:'))).toMatch(/^backend: [^\n]*kernel fix\(es\) active$/);
    lines.length = 0;
    await runTraining(parseTrainArgs([...args, '--lenient', '--verbose', '--out', path.join(dir, 'run2')]), (l) => lines.push(l));
    expect(lines.find((l) => l.startsWith('backend:'))).toMatch(/\nkernel fixes:\n {2}- /);
  });
});
