import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sharedPath } from '../../../tools/testing/shared';
import { readDataset, readTypes, writeDataset, writeTypes } from './dataset-io';
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
});
