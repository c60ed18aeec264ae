import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { datasetFiles, datasetLayout } from './dataset-files';
import { assertDatasetName, datasetSearchDirs, findDataset, findOrDownloadDataset } from './find-dataset';

describe('findDataset and findOrDownloadDataset', () => {
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

  it('returns a found folder as it is, downloads a missing one into the user data dir and says so, takes a named folder as given', async () => {
    const cwd = path.join(root, 'repo');
    const lines: string[] = [];
    const downloads: Array<{ name: string; outDir: string }> = [];
    const download = async (p: { name: string; outDir: string }) => {
      downloads.push(p);
      mkdirSync(p.outDir, { recursive: true });
      writeFileSync(path.join(p.outDir, 'scierc_types.json'), '{}');
    };
    const userDir = path.join(cwd, 'data', 'datasets', 'scierc');
    const first = await findOrDownloadDataset({ name: 'scierc', cwd, env: {}, log: (l) => lines.push(l), download });
    expect(first).toEqual({ dir: userDir, layout: datasetLayout('scierc'), downloaded: true });
    expect(downloads).toEqual([{ name: 'scierc', outDir: userDir }]);
    expect(lines).toEqual([`scierc not found in ${path.join(root, 'shared', 'datasets', 'scierc')}, ${userDir}; downloading the public copy into ${userDir}`]);
    expect(await findOrDownloadDataset({ name: 'scierc', cwd, env: {}, log: (l) => lines.push(l), download })).toMatchObject({ dir: userDir, downloaded: false });
    expect(downloads).toHaveLength(1);
    expect(await findOrDownloadDataset({ name: 'ade', dir: 'mine', cwd, env: {}, download })).toMatchObject({ dir: path.join(cwd, 'mine'), downloaded: false });
    await expect(findOrDownloadDataset({ name: 'nosuch' as never, cwd, env: {}, download })).rejects.toThrow(/unknown dataset "nosuch"/);
  });

  it('lays out every dataset with its types file first and its default pair among its files', () => {
    for (const name of ['conll04', 'scierc', 'ade'] as const) {
      const l = datasetLayout(name);
      expect(l.files[0]).toBe(l.types);
      expect(l.files).toEqual(expect.arrayContaining([l.train, l.valid]));
      expect(datasetFiles(name)).toEqual(l.files);
    }
    expect(datasetLayout('ade').files).toHaveLength(21);
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
