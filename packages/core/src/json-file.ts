import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';

/** Thrown when a file the project reads cannot be read or is not valid JSON; `file` names it. */
export class JsonFileError extends Error {
  readonly file: string;

  constructor(message: string, file: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JsonFileError';
    this.file = file;
  }
}

/**
 * Parses JSON text read from `file`. A syntax error names the file (and what it is, e.g.
 * "model config"), because JSON.parse's own message ("Bad control character ... at position 10")
 * says neither which file nor what it was for.
 */
export function parseJson(text: string, file: string, what?: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const label = what ? ` (${what})` : '';
    throw new JsonFileError(`${file}${label} is not valid JSON: ${(err as Error).message}`, file, { cause: err });
  }
}

/** Reads and parses a JSON file; both a missing file and bad JSON name the file. */
export async function readJsonFile(file: string, options: { what?: string; fs?: FileSystem } = {}): Promise<unknown> {
  let text: string;
  try {
    text = await (options.fs ?? nodeFileSystem).readFile(file, 'utf8');
  } catch (err) {
    const label = options.what ? ` (${options.what})` : '';
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new JsonFileError(`cannot read ${file}${label}: ${reason}`, file, { cause: err });
  }
  return parseJson(text, file, options.what);
}
