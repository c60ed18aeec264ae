import * as fsp from 'node:fs/promises';
import { fsyncPath, type AtomicWriteFs } from '@spert/core';

/** The file-system calls the trainer makes; pass your own to test failures or to redirect writes. */
export interface TrainerFs {
  /** Creates a folder and its parents. */
  mkdir(path: string, options: { recursive: true }): Promise<unknown>;
  /** Creates or replaces a file. */
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  /** Appends to a file (the training logs), creating it when absent. */
  appendFile(path: string, data: string): Promise<void>;
  /** A file's bytes. */
  readFile(path: string): Promise<Uint8Array>;
  /** The names in a folder. */
  readdir(path: string): Promise<string[]>;
  /** Moves a file or folder in one step (checkpoints are written beside and renamed). */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or folder tree; no error when it is absent. */
  rm(path: string, options: { recursive: true; force: true }): Promise<void>;
  /** Flushes a file or directory to disk; optional (in-memory ports have nothing to flush). */
  fsync?(path: string): Promise<void>;
}

/** The real file system (node:fs/promises). */
export const nodeFs: TrainerFs = {
  mkdir: (p, o) => fsp.mkdir(p, o),
  writeFile: (p, d) => fsp.writeFile(p, d),
  appendFile: (p, d) => fsp.appendFile(p, d),
  readFile: (p) => fsp.readFile(p),
  readdir: (p) => fsp.readdir(p),
  rename: (a, b) => fsp.rename(a, b),
  rm: (p, o) => fsp.rm(p, o),
  fsync: fsyncPath,
};

/** `fs` as the port of @spert/core's writeFileAtomic, so the trainer's files go through the project's one atomic write. */
export function atomicPort(fs: TrainerFs): AtomicWriteFs {
  return {
    writeFile: (p, d) => fs.writeFile(p, d),
    rename: (a, b) => fs.rename(a, b),
    mkdir: (p, o) => fs.mkdir(p, o),
    rm: (p) => fs.rm(p, { recursive: true, force: true }),
    fsync: fs.fsync ? (p) => fs.fsync!(p) : undefined,
  };
}

/** True when `path` can be listed or read (a missing path is not an error). */
export async function pathExists(fs: TrainerFs, path: string): Promise<boolean> {
  try {
    await fs.readdir(path);
    return true;
  } catch {
    try {
      await fs.readFile(path);
      return true;
    } catch {
      return false;
    }
  }
}
