import * as path from 'node:path';
import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';
import { readJsonFile } from './json-file';
import { SpertError } from './errors';

/** What a SpERT model directory holds, for messages that send the user to the right folder. */
export const MODEL_DIR_CONTENTS = 'config.json, the weights (model.safetensors or pytorch_model.bin) and the tokenizer files (vocab.txt or tokenizer.json, tokenizer_config.json)';

/**
 * Throws a message naming `dir` (and the flag it came from) when it is not a directory, has no
 * config.json, or its config.json is not valid JSON (naming that file), instead of the bare
 * ENOENT or JSON.parse message of the loader that would open it first.
 */
export async function assertModelDir(dir: string, options: { flag?: string; contents?: string; fs?: FileSystem } = {}): Promise<void> {
  const fs = options.fs ?? nodeFileSystem;
  const where = options.flag ? `${options.flag} ${dir}` : dir;
  const holds = `a model directory holds ${options.contents ?? MODEL_DIR_CONTENTS}`;
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat) throw new SpertError('FILE_NOT_FOUND', `${where}: there is no model directory there (${path.resolve(dir)} does not exist); ${holds}`, { file: dir, field: options.flag });
  if (!stat.isDirectory()) throw new SpertError('INVALID_FILE', `${where}: is a file, not a model directory; ${holds}`, { file: dir, field: options.flag });
  const config = await fs.stat(path.join(dir, 'config.json')).then((s) => s.isFile(), () => false);
  if (!config) throw new SpertError('FILE_NOT_FOUND', `${where}: not a model directory (no config.json in it); ${holds}`, { file: dir, field: options.flag });
  await readJsonFile(path.join(dir, 'config.json'), { what: 'model config', fs });
}
