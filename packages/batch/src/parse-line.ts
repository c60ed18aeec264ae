import { parsePredictionDocument, type ParsePredictionOptions, type PredictionInput } from '@spert/core';

/** Input formats: JSONL (`{"id"?, "text"}` or `{"id"?, "tokens"}` per line, or any form @spert/core accepts) or plain text (one document per line). */
export type InputFormat = 'jsonl' | 'text';

/** A valid input line: its number, its id (the `id` field, else the line number) and what to predict. */
export interface BatchDocument {
  line: number;
  id: string | number;
  input: PredictionInput;
}

/** A line that could not be predicted, with why. */
export interface LineError {
  line: number;
  id?: string | number;
  reason: string;
}

/** Picks the format from the file name: `.jsonl`/`.ndjson` (optionally `.gz`) are JSONL, anything else text; stdin defaults to JSONL. */
export function formatFromPath(path: string): InputFormat {
  if (path === '-') return 'jsonl';
  return /\.(jsonl|ndjson)(\.gz)?$/i.test(path) ? 'jsonl' : 'text';
}

/**
 * Parses one input line into a document, validated by @spert/core's parsePredictionDocument (the
 * one validator of the CLI, the service and batch jobs). Blank lines are no documents (undefined);
 * a bad line becomes a {@link LineError} naming the file, line and field.
 */
export function parseLine(text: string, line: number, format: InputFormat, source: string, settings: DocumentSettings = {}): BatchDocument | LineError | undefined {
  if (text.trim().length === 0) return undefined;
  if (format === 'text') return { line, id: line, input: parsePredictionDocument(text, `${source}:${line}`, settings) };
  const where = `${source}:${line}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { line, reason: `${where}: invalid JSON (${(e as Error).message})` };
  }
  let id: string | number = line;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'id' in value) {
    const given = (value as { id: unknown }).id;
    if (!(typeof given === 'string' || (typeof given === 'number' && Number.isFinite(given)))) {
      return { line, reason: `${where}.id: expected a string or a number, got ${given === null ? 'null' : typeof given}` };
    }
    id = given;
  }
  try {
    return { line, id, input: parsePredictionDocument(value, where, settings) };
  } catch (e) {
    return { line, id: id === line ? undefined : id, reason: (e as Error).message };
  }
}

/** How every document of a job is predicted: given entities read from each JSONL line, entity-only mode. */
export type DocumentSettings = ParsePredictionOptions;

/** True for a {@link LineError}. */
export function isLineError(x: BatchDocument | LineError): x is LineError {
  return 'reason' in x;
}
