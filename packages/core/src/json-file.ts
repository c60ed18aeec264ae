import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';
import { SpertError } from './errors';
import type { ErrorCode } from './error-codes';

/**
 * Thrown when a file the project reads cannot be read or is not valid JSON; `file` names it.
 * Code `FILE_NOT_FOUND` for a missing file, `INVALID_FILE` otherwise.
 */
export class JsonFileError extends SpertError {
  readonly file: string;

  /** Builds the error; `code` defaults to `INVALID_FILE`. */
  constructor(message: string, file: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? 'INVALID_FILE', message, { file }, options);
    this.name = 'JsonFileError';
    this.file = file;
  }
}

/** Deepest nesting of arrays and objects a JSON file may have: real files stay under 10, and recursive code (printing, validation) is safe far beyond 100. */
export const MAX_JSON_DEPTH = 100;

/** Limits {@link parseJsonLimited} applies on top of JSON.parse. */
export interface JsonLimits {
  /** Deepest nesting allowed (default MAX_JSON_DEPTH). */
  maxDepth?: number;
  /** Refuse an object with the same key twice (JSON.parse silently keeps the last). */
  rejectDuplicateKeys?: boolean;
}

/**
 * What is wrong with the structure of valid JSON `text` (too deep, a duplicate key), or
 * undefined. One linear pass over the text, without recursion.
 */
export function jsonStructureProblem(text: string, options: JsonLimits = {}): string | undefined {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const dup = options.rejectDuplicateKeys === true;
  // One entry per open container: a key set for objects (only when checking keys), 'o' / 'a' otherwise.
  const stack: Array<Set<string> | 'o' | 'a'> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top instanceof Set) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) return `duplicate key ${JSON.stringify(key)} (at character ${i})`;
        top.add(key);
      }
      expectKey = false;
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= maxDepth) return `nested deeper than ${maxDepth} levels (at character ${i})`;
      stack.push(c === 0x5b ? 'a' : dup ? new Set() : 'o');
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] !== 'a';
    }
  }
  return undefined;
}

/** JSON.parse with a nesting limit (and optionally no duplicate keys); throws an Error saying what is wrong (no file name: callers add it). */
export function parseJsonLimited(text: string, options: JsonLimits = {}): unknown {
  const value: unknown = JSON.parse(text);
  const problem = jsonStructureProblem(text, options);
  if (problem) throw new SpertError('INVALID_FILE', problem);
  return value;
}

/**
 * Parses JSON text read from `file`. A syntax error names the file (and what it is, e.g.
 * "model config"), because JSON.parse's own message ("Bad control character ... at position 10")
 * says neither which file nor what it was for.
 */
export function parseJson(text: string, file: string, what?: string, options: JsonLimits = {}): unknown {
  try {
    return parseJsonLimited(text, options);
  } catch (err) {
    const label = what ? ` (${what})` : '';
    throw new JsonFileError(`${file}${label} is not valid JSON: ${(err as Error).message}`, file, { cause: err });
  }
}

/** Reads and parses a JSON file; both a missing file and bad JSON name the file. */
export async function readJsonFile(file: string, options: { what?: string; fs?: Pick<FileSystem, 'readFile'> } = {}): Promise<unknown> {
  let text: string;
  try {
    text = await (options.fs ?? nodeFileSystem).readFile(file, 'utf8');
  } catch (err) {
    const label = options.what ? ` (${options.what})` : '';
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new JsonFileError(`cannot read ${file}${label}: ${reason}`, file, { cause: err, code: code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'INVALID_FILE' });
  }
  return parseJson(text, file, options.what);
}
