import * as path from 'node:path';
import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';

let counter = 0;

/** The calls {@link writeFileAtomic} makes; `fsync` (file or directory) is skipped when a port has none, e.g. an in-memory one. */
export type AtomicWriteFs = Pick<FileSystem, 'writeFile' | 'rename' | 'mkdir' | 'rm'> & Partial<Pick<FileSystem, 'fsync'>>;

/**
 * Writes a file atomically and durably: a temporary file beside the target, flushed to disk,
 * renamed over the target, then the directory flushed so the rename itself survives a power
 * loss. A reader never sees half a file, and a crash (kill -9, power cut) leaves either the old
 * file or the new one. The project's one atomic write: datasets, results, checkpoints and batch
 * chunks all go through it.
 */
export async function writeFileAtomic(params: { path: string; data: string | Uint8Array; fs?: AtomicWriteFs }): Promise<void> {
  const fs = params.fs ?? nodeFileSystem;
  const dir = path.dirname(params.path);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(params.path)}.${process.pid}.${Date.now().toString(36)}.${counter++}.tmp`);
  try {
    await fs.writeFile(tmp, params.data);
    await fs.fsync?.(tmp);
    await fs.rename(tmp, params.path);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await fs.fsync?.(dir);
}

/** Renames `from` to `to` (a file or a finished directory) and flushes the parent directory, so the new name survives a power loss. */
export async function renameDurable(params: { from: string; to: string; fs?: Pick<FileSystem, 'rename'> & Partial<Pick<FileSystem, 'fsync'>> }): Promise<void> {
  const fs = params.fs ?? nodeFileSystem;
  await fs.rename(params.from, params.to);
  await fs.fsync?.(path.dirname(params.to));
}

/**
 * Fills a folder so that it appears whole or not at all: `fill` writes into `tmp` (default a
 * hidden sibling of `path`; its files should go through {@link writeFileAtomic}), which is then
 * fsynced and renamed over `path` durably. A folder already at `path` is moved aside first and
 * removed after, so a crash leaves the old folder or the new one (plus a `*.old` or temporary
 * sibling to clean up), never a half-written one. Model directories and trainer checkpoints use it.
 */
export async function writeDirectoryAtomic(params: {
  path: string;
  fill: (tmp: string) => Promise<void>;
  tmp?: string;
  fs?: Pick<FileSystem, 'mkdir' | 'rm' | 'rename'> & Partial<Pick<FileSystem, 'fsync'>>;
}): Promise<void> {
  const fs = params.fs ?? nodeFileSystem;
  const target = path.resolve(params.path);
  const tmp = params.tmp ?? path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.${counter++}.tmp`);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  try {
    await params.fill(tmp);
    await fs.fsync?.(tmp);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  const old = `${tmp}.old`;
  const moved = await fs.rename(target, old).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return false;
      throw err;
    },
  );
  await renameDurable({ from: tmp, to: target, fs });
  if (moved) await fs.rm(old, { recursive: true, force: true });
}
