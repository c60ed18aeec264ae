import { nodeFileSystem, writeFileAtomic, type FileSystem, SpertError } from '@spert/core';
import type { EvaluationResult } from './evaluate';
import { pyFloatRepr } from './py-format';

/** Column names of the reference's `eval_<label>.csv`. */
export const EVAL_CSV_COLUMNS = [
  'ner_prec_micro', 'ner_rec_micro', 'ner_f1_micro', 'ner_prec_macro', 'ner_rec_macro', 'ner_f1_macro',
  'rel_prec_micro', 'rel_rec_micro', 'rel_f1_micro', 'rel_prec_macro', 'rel_rec_macro', 'rel_f1_macro',
  'rel_nec_prec_micro', 'rel_nec_rec_micro', 'rel_nec_f1_micro', 'rel_nec_prec_macro', 'rel_nec_rec_macro', 'rel_nec_f1_macro',
  'epoch', 'iteration', 'global_iteration',
] as const;

/** The 18 metric values in the CSV's column order. */
export function evalMetricValues(result: EvaluationResult): number[] {
  return [result.ner, result.rel, result.relNec].flatMap((s) => [
    s.micro.precision, s.micro.recall, s.micro.f1, s.macro.precision, s.macro.recall, s.macro.f1,
  ]);
}

/** The CSV header line (Python's csv module: `;` separated, CRLF line end). */
export function evalCsvHeader(): string {
  return `${EVAL_CSV_COLUMNS.join(';')}\r\n`;
}

/** One CSV row as the reference appends it after an evaluation. */
export function evalCsvRow(result: EvaluationResult, position: { epoch: number; iteration: number; globalIteration: number }): string {
  const cells = [...evalMetricValues(result).map(pyFloatRepr), position.epoch, position.iteration, position.globalIteration];
  return `${cells.join(';')}\r\n`;
}

/** Parses an `eval_*.csv` written by the reference or by {@link evalCsvRow} into rows of numbers by column. */
export function parseEvalCsv(text: string): Array<Record<string, number>> {
  const [header, ...rows] = text.split(/\r?\n/).filter((l) => l.length > 0);
  const cols = header.split(';');
  return rows.map((line, r) => {
    const cells = line.split(';');
    if (cells.length !== cols.length) throw new SpertError('INVALID_FILE', `eval csv row ${r + 1}: ${cells.length} cells, header has ${cols.length}`);
    return Object.fromEntries(cols.map((c, i) => [c, Number(cells[i])]));
  });
}

/**
 * Appends one evaluation to an `eval_<label>.csv` as the reference does (header written when
 * the file is new); the whole file is rewritten atomically.
 */
export async function appendEvalCsv(params: {
  path: string;
  result: EvaluationResult;
  epoch: number;
  iteration: number;
  globalIteration: number;
  fs?: FileSystem;
}): Promise<void> {
  const fs = params.fs ?? nodeFileSystem;
  const existing = await fs.readFile(params.path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return evalCsvHeader();
    throw err;
  });
  const row = evalCsvRow(params.result, { epoch: params.epoch, iteration: params.iteration, globalIteration: params.globalIteration });
  await writeFileAtomic({ path: params.path, data: existing + row, fs });
}
