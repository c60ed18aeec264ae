// The file-system operations checkpoint loading and saving need, injectable for tests.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';

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
};

let counter = 0;

/** Writes `data` to `file` via a temporary sibling and a rename, so readers never see a partial file. */
export async function writeFileAtomic(file: string, data: Uint8Array | string, fs: CheckpointFs = nodeFs): Promise<void> {
  await fs.mkdir(path.dirname(file));
  const tmp = `${file}.tmp-${process.pid}-${counter++}`;
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}
