import * as path from 'node:path';
import { ChunkStore, inputIdentity, type BatchManifest } from './chunk-store';
import { formatFromPath, isLineError, parseLine, type BatchDocument, type DocumentSettings, type InputFormat, type LineError } from './parse-line';
import type { ChunkResult, ChunkTask } from './predict-chunk';
import { readLines, SpertError } from '@spert/core';

/** Runs chunks: in this process, on worker threads, or on queue workers on other machines. */
export interface ChunkExecutor {
  /** Predicts one chunk; may run several at once. */
  run(task: ChunkTask): Promise<ChunkResult>;
  /** How many chunks it runs at once (runBatch keeps twice as many in flight). */
  readonly concurrency: number;
  /** Frees threads or connections. */
  close?(): Promise<void>;
}

/** Progress of a run, reported as chunks finish. */
export interface BatchProgress {
  /** Documents written (resumed chunks included). */
  documents: number;
  /** Documents that only came from chunks finished by an earlier run. */
  resumedDocuments: number;
  /** Bad lines so far. */
  errors: number;
  chunks: number;
  /** Raw input bytes read so far and the input's size (unknown for stdin). */
  bytesRead: number;
  /** Input bytes up to the latest finished chunk (the reader runs ahead): what a bar's ETA should use. */
  bytesDone: number;
  totalBytes?: number;
}

/** Options of {@link runBatch}. */
export interface RunBatchOptions {
  /** Input file (`.gz` or not) or `-` for stdin. */
  input: string;
  /** Output JSONL, written once every chunk is done (its chunks wait in `<output>.parts/`). */
  output: string;
  /** Errors JSONL (`{"line", "id"?, "reason"}` per bad line; default `<output>.errors.jsonl`). */
  errors?: string;
  /** Default: from the input's name (see formatFromPath). */
  format?: InputFormat;
  /** Input lines per chunk (the unit of work, of atomic writes and of resume; default 256). */
  chunkSize?: number;
  executor: ChunkExecutor;
  /** What else changes the output (model, pipeline options): a resumed run must match. */
  settings?: BatchManifest['settings'];
  /** Called with the counts so far as the job progresses. */
  onProgress?: (p: BatchProgress) => void;
  /** What `-` reads (tests). */
  stdin?: NodeJS.ReadableStream;
  /** Given entities and entity-only mode, for every document (include them in `settings` so a resume must match). */
  documents?: DocumentSettings;
}

/** What a finished run did. */
export interface BatchSummary extends BatchProgress {
  /** Chunks skipped because an earlier run had finished them. */
  resumedChunks: number;
  output: string;
  errorsFile: string;
}

/**
 * Streams an input through an executor chunk by chunk and writes the output in input order, every
 * valid line exactly once, every bad line in the errors file. At most twice the executor's
 * concurrency in chunks is held in memory, whatever the input size. Killed and rerun with the same
 * options, it skips the chunks already written and produces exactly the output of an uninterrupted run.
 */
export async function runBatch(o: RunBatchOptions): Promise<BatchSummary> {
  const chunkSize = o.chunkSize ?? 256;
  if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) throw new SpertError('INVALID_OPTION', `chunkSize: expected an integer >= 1, got ${chunkSize}`);
  const format = o.format ?? formatFromPath(o.input);
  const source = o.input === '-' ? 'stdin' : o.input;
  const errorsFile = o.errors ?? `${o.output}.errors.jsonl`;
  const identity = await inputIdentity(o.input);
  const store = await ChunkStore.open(o.output, {
    input: o.input === '-' ? '-' : path.resolve(o.input),
    ...identity,
    format,
    chunkSize,
    settings: o.settings ?? {},
  });
  const progress: BatchProgress = { documents: 0, resumedDocuments: 0, errors: 0, chunks: 0, bytesRead: 0, bytesDone: 0, totalBytes: identity.inputSize };
  let resumedChunks = 0;
  const report = () => o.onProgress?.({ ...progress });

  const limit = Math.max(1, o.executor.concurrency * 2);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const finish = (result: ChunkResult, parseErrors: LineError[], bytes: number): Promise<void> => {
    const errors = [...parseErrors, ...result.errors].sort((a, b) => a.line - b.line);
    return store.write({ ...result, errors }).then(() => {
      progress.bytesDone = Math.max(progress.bytesDone, bytes);
      progress.documents += result.documents;
      progress.errors += errors.length;
      progress.chunks += 1;
      report();
    });
  };

  const submit = async (index: number, documents: BatchDocument[], parseErrors: LineError[]): Promise<void> => {
    if (store.has(index)) {
      // Finished by an earlier run: count it, do not redo it.
      const errors = await store.errorsOf(index);
      const documentsDone = documents.length - errors.filter((e) => !parseErrors.some((p) => p.line === e.line)).length;
      progress.documents += documentsDone;
      progress.resumedDocuments += documentsDone;
      progress.errors += errors.length;
      progress.chunks += 1;
      progress.bytesDone = Math.max(progress.bytesDone, progress.bytesRead);
      resumedChunks += 1;
      report();
      return;
    }
    const task: ChunkTask = { index, documents, source };
    const bytes = progress.bytesRead;
    const p = (documents.length === 0 ? Promise.resolve<ChunkResult>({ index, output: '', errors: [], documents: 0 }) : o.executor.run(task))
      .then((r) => finish(r, parseErrors, bytes))
      .catch((e: unknown) => {
        failure ??= e;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    while (inFlight.size >= limit) await Promise.race(inFlight);
  };

  let index = 0;
  let documents: BatchDocument[] = [];
  let parseErrors: LineError[] = [];
  let lastLine = 0;
  try {
    for await (const { line, text } of readLines({ path: o.input, stdin: o.stdin, onBytes: (b) => (progress.bytesRead = b) })) {
      if (failure) break;
      const chunk = Math.floor((line - 1) / chunkSize);
      if (chunk !== index) {
        await submit(index, documents, parseErrors);
        index = chunk;
        documents = [];
        parseErrors = [];
      }
      lastLine = line;
      const parsed = parseLine(text, line, format, source, o.documents);
      if (parsed === undefined) continue;
      if (isLineError(parsed)) parseErrors.push(parsed);
      else documents.push(parsed);
    }
    if (!failure && lastLine > 0) await submit(index, documents, parseErrors);
    await Promise.all(inFlight);
  } finally {
    await Promise.allSettled(inFlight);
  }
  if (failure) throw failure;
  const count = lastLine === 0 ? 0 : Math.floor((lastLine - 1) / chunkSize) + 1;
  await store.finalize(count, o.output, errorsFile);
  progress.bytesDone = progress.bytesRead;
  return { ...progress, resumedChunks, output: o.output, errorsFile };
}
