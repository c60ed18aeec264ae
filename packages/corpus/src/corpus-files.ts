import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { nodeFileSystem, SpertError, type FileSystem } from '@spert/core';

/** How a corpus file is read: text lines/paragraphs, JSONL records, or a SpERT JSON dataset (its documents' tokens). */
export type CorpusFormat = 'text' | 'jsonl' | 'spert-json';

/**
 * The file-system calls the corpus reader makes: @spert/core's port (`stat`, `readdir`) plus a
 * streamed read, since a corpus can be larger than memory. Pass your own (e.g. in memory) in tests.
 */
export type CorpusFileSystem = Pick<FileSystem, 'stat' | 'readdir'> & {
  /** Raw bytes of a file, streamed (gzip is recognised by its magic bytes). */
  createReadStream(file: string): NodeJS.ReadableStream;
};

/** Node's file system: @spert/core's `nodeFileSystem` with node:fs streams. */
export const nodeCorpusFileSystem: CorpusFileSystem = {
  createReadStream: (f) => createReadStream(f),
  stat: nodeFileSystem.stat,
  readdir: nodeFileSystem.readdir,
};

/** One input file of a corpus and the format it is read in. */
export interface CorpusFile {
  path: string;
  format: CorpusFormat;
}

const JSONL = /\.(jsonl|ndjson)(\.gz)?$/i;
const JSON_DATASET = /\.json(\.gz)?$/i;
const TEXT = /\.(txt|text)(\.gz)?$/i;

/**
 * The format a file name says: `.jsonl`/`.ndjson` JSONL, `.json` a SpERT dataset, anything else
 * text; each optionally `.gz`.
 */
export function formatFromName(file: string): CorpusFormat {
  if (JSONL.test(file)) return 'jsonl';
  if (JSON_DATASET.test(file)) return 'spert-json';
  return 'text';
}

// Inside a directory only files whose names say what they are count (a README or a .DS_Store
// beside the corpus is not corpus text); a file named on its own is read whatever its name.
function isCorpusName(name: string): boolean {
  return JSONL.test(name) || JSON_DATASET.test(name) || TEXT.test(name);
}

/**
 * Expands the given paths into corpus files: a file as it is, a directory into its `.txt`,
 * `.text`, `.jsonl`, `.ndjson` and `.json` files (each optionally `.gz`), recursively, in sorted
 * order (code-unit order of the path below the directory) so that a corpus reads the same on
 * every machine. `format` forces one format for every file. Throws for a missing path or an empty
 * directory, naming it.
 */
export async function listCorpusFiles(params: {
  paths: readonly string[];
  format?: CorpusFormat | 'auto';
  fs?: CorpusFileSystem;
}): Promise<CorpusFile[]> {
  const fs = params.fs ?? nodeCorpusFileSystem;
  const format = params.format ?? 'auto';
  const pick = (file: string): CorpusFile => ({ path: file, format: format === 'auto' ? formatFromName(file) : format });
  if (params.paths.length === 0) throw new SpertError('INVALID_OPTION', 'no corpus paths given');
  const out: CorpusFile[] = [];
  const walk = async (dir: string, found: string[]) => {
    const names = (await fs.readdir(dir)).sort();
    for (const name of names) {
      const full = path.join(dir, name);
      const st = await fs.stat(full);
      if (st.isDirectory()) await walk(full, found);
      else if (st.isFile() && isCorpusName(name)) found.push(full);
    }
  };
  for (const given of params.paths) {
    let st: Awaited<ReturnType<CorpusFileSystem['stat']>>;
    try {
      st = await fs.stat(given);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new SpertError('FILE_NOT_FOUND', `corpus path ${given}: ${code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, { file: given }, { cause: err });
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      await walk(given, found);
      if (found.length === 0) {
        throw new SpertError('FILE_NOT_FOUND', `corpus directory ${given} holds no corpus files (.txt, .text, .jsonl, .ndjson or .json, optionally .gz)`);
      }
      out.push(...found.map(pick));
    } else out.push(pick(given));
  }
  return out;
}
