import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { readLines, SpertError } from '@spert/core';
import { splitWords, type SplitWordsOptions } from '@spert/tokenizer';
import { listCorpusFiles, nodeCorpusFileSystem, type CorpusFile, type CorpusFileSystem, type CorpusFormat } from './corpus-files';
import { checkSplit, inSplit, type CorpusSplit } from './validation-split';

/** One document of a corpus: its words, and where it starts (for messages and reports). */
export interface CorpusDocument {
  words: string[];
  /** The file it came from (as listed from the given paths). */
  source: string;
  /** 1-based line where it starts (text, JSONL); for a SpERT JSON dataset, the 1-based number of the document in the array. */
  line: number;
}

/** How plain text files are cut into documents. */
export type TextMode = 'line' | 'paragraph';

/** A line (or dataset document) that gave no document, and why. */
export interface BadLine {
  source: string;
  line: number;
  reason: string;
}

/** What one pass read from one file. */
export interface CorpusFileReport {
  path: string;
  format: CorpusFormat;
  /** Lines read (for a SpERT JSON dataset: documents in the array). */
  lines: number;
  /** Documents given out (after the split filter). */
  documents: number;
  /** Words of those documents. */
  words: number;
  /** Documents the split filter left to the other part. */
  otherPart: number;
  /** Empty or whitespace-only lines: separators, not errors. */
  blankLines: number;
  /** Lines (or dataset documents) that gave no document. */
  badLines: number;
  /** The first few bad lines, with why. */
  examples: BadLine[];
}

/** What a pass over the corpus read, file by file; complete once the pass has ended. */
export interface CorpusReport {
  files: CorpusFileReport[];
  documents: number;
  words: number;
  badLines: number;
  otherPart: number;
  /** True once a pass has read every file to its end. */
  complete: boolean;
}

/** Options of {@link readCorpus}. */
export interface ReadCorpusOptions {
  /** Files and directories (see {@link listCorpusFiles}). */
  paths: readonly string[];
  /** Plain text: one document per line (default), or per blank-line-separated paragraph. */
  textMode?: TextMode;
  /** JSONL: the field holding a record's text (default "text"). */
  textField?: string;
  /** Force one format for every file instead of going by file names (default 'auto'). */
  format?: CorpusFormat | 'auto';
  /** Keep only the training or the validation part of a seeded split (see {@link isValidationDocument}). */
  split?: CorpusSplit;
  /** Longest line read, in bytes (default 8 MiB); longer lines, and longer paragraphs, are bad lines. */
  maxLineBytes?: number;
  /** Bad lines listed per file in the report (default 5; all are counted). */
  maxExamples?: number;
  /** Options of the word splitter (locale, abbreviations, contractions). */
  splitWordsOptions?: SplitWordsOptions;
  /** Called for every bad line as it is found (e.g. to log it); the report keeps counts and examples. */
  onBadLine?: (bad: BadLine) => void;
  fs?: CorpusFileSystem;
}

/** A corpus: iterate it (any number of times) for its documents; `report` describes the latest pass. */
export interface Corpus extends AsyncIterable<CorpusDocument> {
  /** Counts of the latest pass, file by file (empty before the first; `complete` once a pass has ended). */
  readonly report: CorpusReport;
}

const gunzipAsync = promisify(gunzip);
const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * Streams the documents of text, JSONL and SpERT JSON files, gzipped or not, and directories of
 * them, in file order (see {@link listCorpusFiles}):
 * - text: each line is a document, or with `textMode: 'paragraph'` each run of non-blank lines
 *   (joined by a space); the text is cut into words by @spert/tokenizer's splitWords;
 * - JSONL: each line a JSON object whose `textField` (default "text") is a string, split as text,
 *   or, without that field, whose `tokens` is an array of strings (the project's prediction input
 *   form), taken as words;
 * - `.json`: a SpERT dataset (an array of {tokens, entities, relations}); each document's tokens are
 *   its words. A dataset is parsed whole, one file at a time, so only its size bounds memory; text
 *   and JSONL are read line by line, so memory stays bounded (by `maxLineBytes`) whatever their size.
 *
 * Bad input never stops the pass: a line that is not valid UTF-8, too long, not JSON, without a
 * string text field, or without a word after splitting (and a dataset document without string
 * tokens) is counted in the report with its file and line, the first few with the reason. A file
 * that cannot be read at all (missing, corrupt gzip, a dataset that is not JSON) throws, naming it.
 */
export function readCorpus(options: ReadCorpusOptions): Corpus {
  const fs = options.fs ?? nodeCorpusFileSystem;
  const textMode = options.textMode ?? 'line';
  if (textMode !== 'line' && textMode !== 'paragraph') throw new RangeError(`textMode must be 'line' or 'paragraph', got ${JSON.stringify(textMode)}`);
  const textField = options.textField ?? 'text';
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const maxExamples = options.maxExamples ?? 5;
  if (!(maxLineBytes > 0)) throw new RangeError(`maxLineBytes must be a positive number of bytes, got ${options.maxLineBytes}`);
  if (!Number.isInteger(maxExamples) || maxExamples < 0) throw new RangeError(`maxExamples must be an integer >= 0, got ${options.maxExamples}`);
  if (options.split) checkSplit(options.split);
  let report: CorpusReport = { files: [], documents: 0, words: 0, badLines: 0, otherPart: 0, complete: false };

  async function* documents(): AsyncGenerator<CorpusDocument> {
    const files = await listCorpusFiles({ paths: options.paths, format: options.format, fs });
    report = {
      files: files.map((f) => ({ path: f.path, format: f.format, lines: 0, documents: 0, words: 0, otherPart: 0, blankLines: 0, badLines: 0, examples: [] })),
      documents: 0,
      words: 0,
      badLines: 0,
      otherPart: 0,
      complete: false,
    };
    for (let i = 0; i < files.length; i++) {
      const file = report.files[i];
      const bad = (line: number, reason: string) => {
        const entry = { source: file.path, line, reason };
        file.badLines++;
        report.badLines++;
        if (file.examples.length < maxExamples) file.examples.push(entry);
        options.onBadLine?.(entry);
      };
      for await (const doc of readFile(files[i], { fs, textMode, textField, maxLineBytes, splitWordsOptions: options.splitWordsOptions, bad, file })) {
        if (options.split && !inSplit(doc, options.split)) {
          file.otherPart++;
          report.otherPart++;
          continue;
        }
        file.documents++;
        file.words += doc.words.length;
        report.documents++;
        report.words += doc.words.length;
        yield doc;
      }
    }
    report.complete = true;
  }

  return {
    get report() {
      return report;
    },
    [Symbol.asyncIterator]: () => documents(),
  };
}

interface FileContext {
  fs: CorpusFileSystem;
  textMode: TextMode;
  textField: string;
  maxLineBytes: number;
  splitWordsOptions?: SplitWordsOptions;
  bad: (line: number, reason: string) => void;
  file: CorpusFileReport;
}

function readFile(file: CorpusFile, ctx: FileContext): AsyncGenerator<CorpusDocument> {
  if (file.format === 'spert-json') return readDataset(file.path, ctx);
  if (file.format === 'jsonl') return readJsonl(file.path, ctx);
  return readText(file.path, ctx);
}

const words = (text: string, ctx: FileContext): string[] => splitWords(text, ctx.splitWordsOptions).map((w) => w.text);

function lineProblem(problem: 'invalid-utf8' | 'too-long', ctx: FileContext): string {
  return problem === 'invalid-utf8' ? 'not valid UTF-8' : `longer than ${ctx.maxLineBytes} bytes (maxLineBytes)`;
}

async function* readText(source: string, ctx: FileContext): AsyncGenerator<CorpusDocument> {
  const lines = readLines({ path: source, stream: ctx.fs.createReadStream(source), maxLineBytes: ctx.maxLineBytes });
  if (ctx.textMode === 'line') {
    for await (const { line, text, problem } of lines) {
      ctx.file.lines++;
      if (problem) ctx.bad(line, lineProblem(problem, ctx));
      else if (text.trim() === '') ctx.file.blankLines++;
      else {
        const w = words(text, ctx);
        if (w.length === 0) ctx.bad(line, 'no words after splitting');
        else yield { words: w, source, line };
      }
    }
    return;
  }
  // Paragraphs: runs of non-blank lines. A bad line spoils its paragraph (its text is unknown), a
  // paragraph longer than maxLineBytes too, so that memory stays bounded.
  let parts: string[] = [];
  let chars = 0;
  let start = 0;
  let spoiled: string | undefined;
  const flush = function* (): Generator<CorpusDocument> {
    if (start === 0) return;
    if (spoiled) ctx.bad(start, `paragraph: ${spoiled}`);
    else {
      const w = words(parts.join(' '), ctx);
      if (w.length === 0) ctx.bad(start, 'paragraph: no words after splitting');
      else yield { words: w, source, line: start };
    }
    parts = [];
    chars = 0;
    start = 0;
    spoiled = undefined;
  };
  for await (const { line, text, problem } of lines) {
    ctx.file.lines++;
    if (!problem && text.trim() === '') {
      ctx.file.blankLines++;
      yield* flush();
      continue;
    }
    if (start === 0) start = line;
    if (spoiled) continue;
    if (problem) spoiled = `line ${line} is ${lineProblem(problem, ctx)}`;
    else if ((chars += text.length + 1) > ctx.maxLineBytes) spoiled = `longer than ${ctx.maxLineBytes} characters (maxLineBytes)`;
    else {
      parts.push(text);
      continue;
    }
    parts = [];
  }
  yield* flush();
}

async function* readJsonl(source: string, ctx: FileContext): AsyncGenerator<CorpusDocument> {
  const field = JSON.stringify(ctx.textField);
  for await (const { line, text, problem } of readLines({ path: source, stream: ctx.fs.createReadStream(source), maxLineBytes: ctx.maxLineBytes })) {
    ctx.file.lines++;
    if (problem) {
      ctx.bad(line, lineProblem(problem, ctx));
      continue;
    }
    if (text.trim() === '') {
      ctx.file.blankLines++;
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      ctx.bad(line, `invalid JSON (${(err as Error).message})`);
      continue;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      ctx.bad(line, `expected a JSON object, got ${Array.isArray(record) ? 'an array' : record === null ? 'null' : typeof record}`);
      continue;
    }
    const value = (record as Record<string, unknown>)[ctx.textField];
    const tokens = (record as Record<string, unknown>).tokens;
    let w: string[];
    if (typeof value === 'string') w = words(value, ctx);
    else if (value === undefined && Array.isArray(tokens)) {
      const wrong = tokens.findIndex((t) => typeof t !== 'string');
      if (wrong >= 0) {
        ctx.bad(line, `tokens[${wrong}] is not a string`);
        continue;
      }
      w = (tokens as string[]).filter((t) => t.trim() !== '');
    } else {
      ctx.bad(line, value === undefined ? `no ${field} field (nor a "tokens" array)` : `${field} is ${value === null ? 'null' : typeof value}, not a string`);
      continue;
    }
    if (w.length === 0) ctx.bad(line, `${field} has no words after splitting`);
    else yield { words: w, source, line };
  }
}

// A dataset is parsed whole anyway, so it is gathered whole (and gunzipped when its magic bytes say gzip).
async function readAll(source: string, ctx: FileContext): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.fs.createReadStream(source) as AsyncIterable<Buffer | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  const raw = Buffer.concat(chunks);
  return raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipAsync(raw) : raw;
}

async function* readDataset(source: string, ctx: FileContext): AsyncGenerator<CorpusDocument> {
  let data: unknown;
  try {
    data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readAll(source, ctx)));
  } catch (err) {
    throw new SpertError('INVALID_FILE', `${source}: cannot read the SpERT JSON dataset: ${(err as Error).message}`, { file: source }, { cause: err });
  }
  if (!Array.isArray(data)) throw new SpertError('INVALID_DATASET', `${source}: a SpERT JSON dataset is an array of documents, got ${data === null ? 'null' : typeof data}`);
  for (let i = 0; i < data.length; i++) {
    const n = i + 1;
    ctx.file.lines++;
    const doc = data[i] as { tokens?: unknown } | null;
    const tokens = typeof doc === 'object' && doc !== null ? doc.tokens : undefined;
    if (!Array.isArray(tokens)) {
      ctx.bad(n, `document #${n}: no "tokens" array`);
      continue;
    }
    const wrong = tokens.findIndex((t) => typeof t !== 'string');
    if (wrong >= 0) {
      ctx.bad(n, `document #${n}: tokens[${wrong}] is not a string`);
      continue;
    }
    const w = (tokens as string[]).filter((t) => t.trim() !== '');
    if (w.length === 0) ctx.bad(n, `document #${n}: no tokens`);
    else yield { words: w, source, line: n };
  }
}
