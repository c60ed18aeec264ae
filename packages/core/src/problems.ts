import { SpertError } from './errors';

/** One thing wrong (or suspicious) in a dataset, located by file, document index and field. */
export interface DatasetProblem {
  /** File name or other label of the input (e.g. `conll04_train.json`). */
  source: string;
  /** Index of the document in the file's array; absent for file-level problems. */
  document?: number;
  /** JSON path inside the document (e.g. `entities[2].end`); absent for whole-document problems. */
  field?: string;
  message: string;
  /** Errors make a document invalid; warnings (e.g. duplicates the reference keeps) do not. */
  severity: 'error' | 'warning';
}

/** Renders a problem as `source: document 17, entities[2].end: message`. */
export function formatProblem(p: DatasetProblem): string {
  const where = [p.document !== undefined ? `document ${p.document}` : undefined, p.field].filter(Boolean).join(', ');
  return `${p.source}: ${where ? `${where}: ` : ''}${p.message}`;
}

/**
 * Thrown by strict reads (code `INVALID_DATASET`): lists the first problems and counts the rest;
 * `details` has the first problem's file, document and field, and the count.
 */
export class DatasetValidationError extends SpertError {
  /** Every error found (not only the printed ones). */
  readonly problems: DatasetProblem[];

  /**
   * `lenientHint` ends the first line; the default names the API option, and a CLI passes the
   * wording of its own flag (e.g. "run again with --lenient to skip bad documents").
   */
  constructor(problems: DatasetProblem[], options: { maxListed?: number; source?: string; lenientHint?: string } = {}) {
    const max = options.maxListed ?? 20;
    const shown = problems.slice(0, max).map((p) => `  - ${formatProblem(p)}`);
    const rest = problems.length - shown.length;
    const docs = new Set(problems.filter((p) => p.document !== undefined).map((p) => p.document)).size;
    const head =
      `${options.source ?? problems[0]?.source ?? 'dataset'}: ${problems.length} problem(s)` +
      (docs > 0 ? ` in ${docs} document(s)` : '') +
      ` (${options.lenientHint ?? 'pass lenient: true to skip bad documents'}):`;
    const first = problems[0];
    super('INVALID_DATASET', [head, ...shown, ...(rest > 0 ? [`  ... and ${rest} more`] : [])].join('\n'), {
      file: options.source ?? first?.source,
      documentIndex: first?.document,
      field: first?.field,
      problems: problems.length,
    });
    this.name = 'DatasetValidationError';
    this.problems = problems;
  }
}

/**
 * Says how many documents a lenient read left out and why (first `maxListed` errors), or
 * undefined when none were; for logs, so that skipping is never silent.
 */
export function describeSkipped(
  result: { documents: readonly unknown[]; problems: readonly DatasetProblem[]; skipped: readonly number[] },
  source: string,
  options: { maxListed?: number } = {},
): string | undefined {
  if (result.skipped.length === 0) return undefined;
  const max = options.maxListed ?? 10;
  const errors = result.problems.filter((p) => p.severity === 'error');
  const total = result.documents.length + result.skipped.length;
  const shown = errors.slice(0, max).map((p) => `  - ${formatProblem(p)}`);
  const rest = errors.length - shown.length;
  return [
    `${source}: skipped ${result.skipped.length} of ${total} document(s) with errors (${errors.length} problem(s)):`,
    ...shown,
    ...(rest > 0 ? [`  ... and ${rest} more`] : []),
  ].join('\n');
}
