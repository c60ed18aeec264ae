import { internalError, isSpertError, toPredictionRecord, type Prediction, type Predictor } from '@spert/core';
import type { BatchDocument, LineError } from './parse-line';

/** A chunk of consecutive input lines: what executors (in-process, worker threads, queue workers) receive. Plain data (structured-clone and JSON safe). */
export interface ChunkTask {
  /** Chunk number: lines `index * chunkSize + 1` to `(index + 1) * chunkSize`. */
  index: number;
  documents: BatchDocument[];
  /** Input name for messages. */
  source: string;
}

/** What an executor returns for a chunk. */
export interface ChunkResult {
  index: number;
  /** The chunk's output lines (JSONL, each ending in a newline), in input order. */
  output: string;
  /** Documents the model refused (too long with onTooLong 'error', ...), by line. */
  errors: LineError[];
  /** Documents written to `output`. */
  documents: number;
}

/** Runs one chunk through a predictor in a single call, so the same chunk gives the same bytes in every executor. */
export async function predictChunk(predictor: Predictor, task: ChunkTask): Promise<ChunkResult> {
  const docs = task.documents;
  if (docs.length === 0) return { index: task.index, output: '', errors: [], documents: 0 };
  let preds: Prediction[];
  try {
    preds = await predictor.predict(docs.map((d) => d.input), { source: task.source });
  } catch (first) {
    return isolate(predictor, task, first);
  }
  if (preds.length !== docs.length) throw internalError(`${task.source}: the predictor returned ${preds.length} predictions for ${docs.length} documents (chunk ${task.index})`);
  const output = docs.map((d, i) => JSON.stringify(toPredictionRecord(preds[i] as Prediction, { input: d.input, id: d.id })) + '\n').join('');
  return { index: task.index, output, errors: [], documents: docs.length };
}

// A chunk that fails is re-run one document at a time, so one document the model refuses is
// reported by line instead of failing its chunk. If none of them succeeds the fault is not the
// documents' (a broken model, out of memory): fail the job, which resumes once it is fixed.
async function isolate(predictor: Predictor, task: ChunkTask, first: unknown): Promise<ChunkResult> {
  let output = '';
  const errors: LineError[] = [];
  let documents = 0;
  let refusedOnly = true;
  for (const d of task.documents) {
    try {
      const [p] = await predictor.predict([d.input], { source: task.source });
      if (!p) throw internalError('the predictor returned no prediction');
      output += JSON.stringify(toPredictionRecord(p, { input: d.input, id: d.id })) + '\n';
      documents += 1;
    } catch (e) {
      if (!isSpertError(e, 'DOCUMENT_TOO_LONG')) refusedOnly = false;
      errors.push({ line: d.line, id: d.id, reason: `${task.source}:${d.line}: ${(e as Error).message}` });
    }
  }
  if (documents === 0 && !refusedOnly) throw first;
  return { index: task.index, output, errors, documents };
}
