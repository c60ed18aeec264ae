import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { assertDatasetName, datasetSearchDirs, findDataset } from './find-dataset';

describe('findDataset', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'spert-find-'));
    mkdirSync(path.join(root, 'repo'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const put = (dir: string): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'conll04_types.json'), '{}');
  };

  it('prefers ../shared/datasets/<name>, then the user data dir, else points at the user data dir', async () => {
    const cwd = path.join(root, 'repo');
    const userDir = path.join(cwd, 'data', 'datasets', 'conll04');
    expect(await findDataset({ name: 'conll04', cwd, env: {} })).toEqual({
      dir: userDir,
      found: false,
      candidates: [path.join(root, 'shared', 'datasets', 'conll04'), userDir],
    });
    put(userDir);
    expect(await findDataset({ name: 'conll04', cwd, env: {} })).toMatchObject({ dir: userDir, found: true });
    put(path.join(root, 'shared', 'datasets', 'conll04'));
    expect(await findDataset({ name: 'conll04', cwd, env: {} })).toMatchObject({ dir: path.join(root, 'shared', 'datasets', 'conll04'), found: true });
  });

  it('honours SPERT_SHARED first', async () => {
    const other = path.join(root, 'elsewhere');
    put(path.join(other, 'datasets', 'conll04'));
    const r = await findDataset({ name: 'conll04', cwd: path.join(root, 'repo'), env: { SPERT_SHARED: other } });
    expect(r).toMatchObject({ dir: path.join(other, 'datasets', 'conll04'), found: true });
  });
});

describe('unknown dataset names', () => {
  it('lists the known names and the folders searched', async () => {
    const cwd = path.join(tmpdir(), 'repo');
    expect(() => assertDatasetName('nosuch', { cwd, env: {} })).toThrow(
      `unknown dataset "nosuch": the known names are conll04, scierc, ade (looked for in ${path.resolve(cwd, '..', 'shared', 'datasets', '<name>')}, ${path.resolve(cwd, 'data', 'datasets', '<name>')}); for other data pass --train, --valid and --types`,
    );
    expect(datasetSearchDirs('ade', { cwd, env: { SPERT_SHARED: '/s' } })).toEqual(['/s/datasets/ade', path.resolve(cwd, '..', 'shared', 'datasets', 'ade'), path.resolve(cwd, 'data', 'datasets', 'ade')]);
    await expect(findDataset({ name: 'nosuch' as never, cwd, env: {} })).rejects.toThrow(/unknown dataset "nosuch": the known names are conll04, scierc, ade/);
  });
});
