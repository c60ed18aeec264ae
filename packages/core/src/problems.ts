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

/** Thrown by strict reads: lists the first problems and counts the rest. */
export class DatasetValidationError extends Error {
  /** Every error found (not only the printed ones). */
  readonly problems: DatasetProblem[];

  constructor(problems: DatasetProblem[], options: { maxListed?: number; source?: string } = {}) {
    const max = options.maxListed ?? 20;
    const shown = problems.slice(0, max).map((p) => `  - ${formatProblem(p)}`);
    const rest = problems.length - shown.length;
    const docs = new Set(problems.filter((p) => p.document !== undefined).map((p) => p.document)).size;
    const head =
      `${options.source ?? problems[0]?.source ?? 'dataset'}: ${problems.length} problem(s)` +
      (docs > 0 ? ` in ${docs} document(s)` : '') +
      ' (pass lenient to skip bad documents):';
    super([head, ...shown, ...(rest > 0 ? [`  ... and ${rest} more`] : [])].join('\n'));
    this.name = 'DatasetValidationError';
    this.problems = problems;
  }
}
