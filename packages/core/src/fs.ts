import * as nodeFs from 'node:fs/promises';

/** What {@link FileSystem.stat} tells about a path. */
export interface FileStat {
  /** A folder. */
  isDirectory(): boolean;
  /** A regular file. */
  isFile(): boolean;
  /** Size in bytes. */
  size: number;
}

/**
 * The project's one file-system port: every package that reads or writes files takes the part of
 * it that it calls (`Pick<FileSystem, ...>`), so a test can pass an in-memory or failing one.
 * {@link nodeFileSystem} is its Node implementation; {@link writeFileAtomic} its one atomic write.
 */
export interface FileSystem {
  /** A text file's content. */
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  /** A file's bytes. */
  readBytes(path: string): Promise<Uint8Array>;
  /** Creates or replaces a file (not atomically: see {@link writeFileAtomic}). */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Appends to a file (logs), creating it when absent. */
  appendFile(path: string, data: string): Promise<void>;
  /** Moves a file or folder in one step (atomic writes rename a temporary file). */
  rename(from: string, to: string): Promise<void>;
  /** Creates a folder and its parents. */
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  /** Removes a file (or, with `recursive`, a folder tree); no error when it is absent. */
  rm(path: string, options: { force: true; recursive?: boolean }): Promise<void>;
  /** What is at a path; rejects when nothing is. */
  stat(path: string): Promise<FileStat>;
  /** Whether anything (file or folder) is at a path. */
  exists(path: string): Promise<boolean>;
  /** The entry names of a folder. */
  readdir(path: string): Promise<string[]>;
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

/** {@link FileSystem} on node:fs/promises: the one Node implementation of the port. */
export const nodeFileSystem: FileSystem = {
  readFile: (p, enc) => nodeFs.readFile(p, enc),
  readBytes: async (p) => {
    const b = await nodeFs.readFile(p);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  writeFile: (p, data) => nodeFs.writeFile(p, data),
  appendFile: (p, data) => nodeFs.appendFile(p, data),
  rename: (a, b) => nodeFs.rename(a, b),
  mkdir: (p, o) => nodeFs.mkdir(p, o),
  rm: (p, o) => nodeFs.rm(p, o),
  stat: (p) => nodeFs.stat(p),
  exists: (p) => nodeFs.stat(p).then(() => true, () => false),
  readdir: (p) => nodeFs.readdir(p),
  fsync: fsyncPath,
};
