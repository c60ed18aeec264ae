import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findDataset } from './find-dataset';

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
