import * as path from 'node:path';
import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';

/**
 * Writes a file atomically: a temporary file beside the target, then a rename, so a reader
 * never sees half a file and a crash never leaves a truncated dataset.
 */
export async function writeFileAtomic(params: { path: string; data: string | Uint8Array; fs?: FileSystem }): Promise<void> {
  const fs = params.fs ?? nodeFileSystem;
  const dir = path.dirname(params.path);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(params.path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await fs.writeFile(tmp, params.data);
    await fs.rename(tmp, params.path);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
