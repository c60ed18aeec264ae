// The file-system operations checkpoint loading and saving need, injectable for tests.
import { promises as fsp } from 'node:fs';
import { fsyncPath, writeFileAtomic as coreWriteFileAtomic } from '@spert/core';

/** File-system operations used by the checkpoint functions (defaults to node:fs). */
export interface CheckpointFs {
  /** A file's bytes. */
  readFile(file: string): Promise<Uint8Array>;
  /** Creates or replaces a file. */
  writeFile(file: string, data: Uint8Array | string): Promise<void>;
  /** Moves a file in one step (weights are written beside and renamed). */
  rename(from: string, to: string): Promise<void>;
  /** Creates a folder and its parents. */
  mkdir(dir: string): Promise<void>;
  /** Removes a file. */
  unlink(file: string): Promise<void>;
  /** Whether a file or folder is there. */
  exists(file: string): Promise<boolean>;
  /** Flushes a file or directory to disk; optional (in-memory ports have nothing to flush). */
  fsync?(path: string): Promise<void>;
}

/** CheckpointFs on node:fs/promises. */
export const nodeFs: CheckpointFs = {
  readFile: async (file) => {
    const b = await fsp.readFile(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  },
  writeFile: (file, data) => fsp.writeFile(file, data),
  rename: (from, to) => fsp.rename(from, to),
  mkdir: async (dir) => {
    await fsp.mkdir(dir, { recursive: true });
  },
  unlink: (file) => fsp.unlink(file),
  exists: async (file) => {
    try {
      await fsp.stat(file);
      return true;
    } catch {
      return false;
    }
  },
  fsync: fsyncPath,
};

/**
 * Writes `data` to `file` through @spert/core's one atomic write (temporary sibling, fsync,
 * rename, directory fsync), so readers never see a partial file and a crash leaves the old one.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, fs: CheckpointFs = nodeFs): Promise<void> {
  await coreWriteFileAtomic({
    path: file,
    data,
    fs: {
      writeFile: (p, d) => fs.writeFile(p, d),
      rename: (a, b) => fs.rename(a, b),
      mkdir: (p) => fs.mkdir(p),
      rm: (p) => fs.unlink(p),
      fsync: fs.fsync ? (p) => fs.fsync!(p) : undefined,
    },
  });
}
