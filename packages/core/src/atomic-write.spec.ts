import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { renameDurable, writeDirectoryAtomic, writeFileAtomic } from './atomic-write';
import { nodeFileSystem, type FileSystem } from './fs';

describe('writeFileAtomic (the project\'s one atomic write)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-atomic-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes the file, fsyncs it before the rename and the directory after, and leaves no temporary file', async () => {
    const calls: string[] = [];
    const fs: FileSystem = {
      ...nodeFileSystem,
      fsync: async (p) => {
        calls.push(`fsync ${path.basename(p)}`);
        await nodeFileSystem.fsync!(p);
      },
      rename: async (a, b) => {
        calls.push(`rename -> ${path.basename(b)}`);
        await nodeFileSystem.rename(a, b);
      },
    };
    const target = path.join(dir, 'sub', 'a.json');
    await writeFileAtomic({ path: target, data: '{"a":1}', fs });
    expect(await readFile(target, 'utf8')).toBe('{"a":1}');
    expect(calls).toHaveLength(3);
    expect(calls[0]).toMatch(/^fsync \.a\.json\..*\.tmp$/);
    expect(calls.slice(1)).toEqual(['rename -> a.json', 'fsync sub']);
    expect(await readdir(path.join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('works with a port without fsync (in-memory file systems) and removes the temporary file when the write fails', async () => {
    const { fsync: _unused, ...noSync } = nodeFileSystem;
    await writeFileAtomic({ path: path.join(dir, 'b.txt'), data: new Uint8Array([104, 105]), fs: noSync });
    expect(await readFile(path.join(dir, 'b.txt'), 'utf8')).toBe('hi');
    const failing: FileSystem = { ...nodeFileSystem, rename: async () => { throw new Error('disk full'); } };
    await expect(writeFileAtomic({ path: path.join(dir, 'c.txt'), data: 'x', fs: failing })).rejects.toThrow('disk full');
    expect((await readdir(dir)).sort()).toEqual(['b.txt']);
  });

  it('renameDurable renames and fsyncs the new parent directory', async () => {
    const calls: string[] = [];
    await writeFileAtomic({ path: path.join(dir, 'x'), data: '1' });
    await renameDurable({ from: path.join(dir, 'x'), to: path.join(dir, 'y'), fs: { rename: nodeFileSystem.rename, fsync: async (p) => void calls.push(p) } });
    expect(calls).toEqual([dir]);
    expect(await readdir(dir)).toEqual(['y']);
  });

  it('writeDirectoryAtomic replaces a folder whole: the new one fsynced before its rename, the parent after; a failing fill leaves the old one and no temporary folder', async () => {
    const target = path.join(dir, 'model');
    const calls: string[] = [];
    const fs = { ...nodeFileSystem, fsync: async (p: string) => void calls.push(`fsync ${path.relative(dir, p) || '.'}`) };
    const fill = (text: string) => async (tmp: string) => writeFileAtomic({ path: path.join(tmp, 'config.json'), data: text, fs });
    await writeDirectoryAtomic({ path: target, fill: fill('1'), fs });
    await writeDirectoryAtomic({ path: target, fill: fill('2'), fs });
    expect(await readFile(path.join(target, 'config.json'), 'utf8')).toBe('2');
    expect(await readdir(dir)).toEqual(['model']);
    expect(calls.slice(-2)).toEqual([expect.stringMatching(/^fsync \.model\..*\.tmp$/), 'fsync .']);
    await expect(writeDirectoryAtomic({ path: target, fill: async () => { throw new Error('disk full'); } })).rejects.toThrow('disk full');
    expect(await readdir(dir)).toEqual(['model']);
    expect(await readFile(path.join(target, 'config.json'), 'utf8')).toBe('2');
  });
});
