import * as nodeFs from 'node:fs/promises';

/** The file-system calls this package makes; pass your own (e.g. an in-memory one) in tests. */
export interface FileSystem {
  /** A text file's content. */
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  /** Creates or replaces a file. */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Moves a file in one step (atomic writes rename a temporary file). */
  rename(from: string, to: string): Promise<void>;
  /** Creates a folder and its parents. */
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  /** Removes a file; no error when it is absent. */
  rm(path: string, options: { force: true }): Promise<void>;
  /** What is at a path; rejects when nothing is. */
  stat(path: string): Promise<{
    /** A folder. */
    isDirectory(): boolean;
    /** A regular file. */
    isFile(): boolean;
  }>;
  /** Flushes a file's or a directory's contents to disk (optional: in-memory ports have nothing to flush). */
  fsync?(path: string): Promise<void>;
}

/**
 * Flushes a file or directory to disk (fsync). Directories cannot be opened for syncing on
 * Windows, where the rename is already durable: EPERM / EISDIR there are not errors.
 */
export async function fsyncPath(p: string): Promise<void> {
  let handle: nodeFs.FileHandle;
  try {
    handle = await nodeFs.open(p, 'r');
  } catch (e) {
    if (process.platform === 'win32' && ['EPERM', 'EISDIR', 'EACCES'].includes((e as NodeJS.ErrnoException).code ?? '')) return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    // Some file systems (and Windows directories) cannot sync a directory; the data is written.
    if (!['EINVAL', 'EPERM', 'EISDIR', 'ENOTSUP'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  } finally {
    await handle.close();
  }
}

/** Node's file system. */
export const nodeFileSystem: FileSystem = {
  readFile: (p, enc) => nodeFs.readFile(p, enc),
  writeFile: (p, data) => nodeFs.writeFile(p, data),
  rename: (a, b) => nodeFs.rename(a, b),
  mkdir: (p, o) => nodeFs.mkdir(p, o),
  rm: (p, o) => nodeFs.rm(p, o),
  stat: (p) => nodeFs.stat(p),
  fsync: fsyncPath,
};
