import { mkdtempSync, readFileSync, rmSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { loadDataset, readDataset, readTypes, writeDataset, writeTypes } from './dataset-io';
import { DatasetValidationError } from './problems';

describe('dataset files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spert-core-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips documents and types through write -> read (no temporary files left)', async () => {
    const types = await readTypes({ path: sharedPath('datasets/conll04/conll04_types.json') });
    const { documents } = await readDataset({ path: sharedPath('datasets/conll04/conll04_dev.json'), types });
    await writeDataset({ path: path.join(dir, 'sub', 'dev.json'), documents });
    await writeTypes({ path: path.join(dir, 'sub', 'types.json'), types });
    const types2 = await readTypes({ path: path.join(dir, 'sub', 'types.json') });
    expect(types2).toEqual(types);
    const again = await readDataset({ path: path.join(dir, 'sub', 'dev.json'), types: types2 });
    expect(again.documents).toEqual(documents);
    expect(again.problems).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(dir, 'sub', 'dev.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(sharedPath('datasets/conll04/conll04_dev.json'), 'utf8')),
    );
    expect(readdirSync(path.join(dir, 'sub')).sort()).toEqual(['dev.json', 'types.json']);
  });

  it('names the file when it is missing or not JSON, and throws strict errors with the file name', async () => {
    const types = await readTypes({ path: sharedPath('datasets/conll04/conll04_types.json') });
    await expect(readDataset({ path: path.join(dir, 'nope.json'), types })).rejects.toThrow(/cannot read .*nope\.json/);
    await writeDataset({ path: path.join(dir, 'bad.json'), documents: [{ tokens: ['a'], entities: [{ type: 'Loc', start: 0, end: 2 }], relations: [] }] });
    await expect(readDataset({ path: path.join(dir, 'bad.json'), types })).rejects.toThrow(
      new DatasetValidationError([{ source: 'bad.json', document: 0, field: 'entities[0].end', message: '2 > number of tokens 1', severity: 'error' }]),
    );
    const lenient = await readDataset({ path: path.join(dir, 'bad.json'), types, lenient: true });
    expect(lenient).toMatchObject({ documents: [], skipped: [0] });
  });

  it('loadDataset reports what a lenient read skipped, names the strict flag, and refuses or warns about an empty dataset', async () => {
    const types = await readTypes({ path: sharedPath('datasets/conll04/conll04_types.json') });
    const file = path.join(dir, 'mixed.json');
    await writeDataset({
      path: file,
      documents: [
        { tokens: ['a', 'b'], entities: [{ type: 'Loc', start: 0, end: 1 }], relations: [] },
        { tokens: ['a'], entities: [{ type: 'Nope', start: 0, end: 1 }], relations: [] },
      ],
    });
    const lines: string[] = [];
    const strict = { path: file, types, role: 'training set', empty: 'refuse' as const, log: (l: string) => lines.push(l), lenientHint: 'run again with --lenient to skip bad documents' };
    await expect(loadDataset(strict)).rejects.toThrow('mixed.json: 1 problem(s) in 1 document(s) (run again with --lenient to skip bad documents):');
    const lenient = await loadDataset({ ...strict, lenient: true });
    expect(lenient.documents).toHaveLength(1);
    expect(lines).toEqual([`${file}: skipped 1 of 2 document(s) with errors (1 problem(s)):\n  - mixed.json: document 1, entities[0].type: unknown entity type "Nope" (known: Loc, Org, Peop, Other)`]);

    const empty = path.join(dir, 'empty.json');
    writeFileSync(empty, '[]');
    await expect(loadDataset({ ...strict, path: empty })).rejects.toThrow(`${empty}: the training set is empty: the file holds no documents ([])`);
    lines.length = 0;
    expect((await loadDataset({ ...strict, path: empty, role: 'gold dataset', empty: 'warn' })).documents).toEqual([]);
    expect(lines).toEqual([`WARNING: ${empty}: the gold dataset is empty: the file holds no documents ([]); every score below is 0`]);
    await writeDataset({ path: file, documents: [{ tokens: ['a'], entities: [{ type: 'Nope', start: 0, end: 1 }], relations: [] }] });
    await expect(loadDataset({ ...strict, lenient: true })).rejects.toThrow(/the training set is empty: all 1 document\(s\) were skipped as invalid/);
  });

  it('names the file when a types file is not JSON', async () => {
    writeFileSync(path.join(dir, 't.json'), '{"entities": ');
    await expect(readTypes({ path: path.join(dir, 't.json') })).rejects.toThrow(`${path.join(dir, 't.json')} (types file) is not valid JSON`);
  });
});
