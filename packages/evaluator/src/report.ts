import type { EvaluationResult, Scores, SettingResult } from './evaluate';
import { pyFixed2 } from './py-format';

const pad = (s: string, n: number): string => s.padStart(n, ' ');
const row = (cells: string[]): string => pad(cells[0], 20) + cells.slice(1).map((c) => ` ${pad(c, 12)}`).join('');
const metricRow = (label: string, m: Scores): string =>
  row([label, pyFixed2(m.precision), pyFixed2(m.recall), pyFixed2(m.f1), String(m.support)]);

/**
 * One table as the reference prints it (`%20s` + ` %12s` columns, `%.2f` values, per-type
 * rows by short name, then micro and macro).
 */
export function formatTable(result: SettingResult): string {
  const lines = [row(['type', 'precision', 'recall', 'f1-score', 'support'])];
  for (const t of result.perType) lines.push(metricRow(t.short, t));
  lines.push('', metricRow('micro', result.micro), metricRow('macro', result.macro));
  return lines.join('\n');
}

/**
 * The reference's console output of an evaluation, byte for byte (rows in the result's order:
 * see `EvaluateParams.order`).
 */
export function formatEvaluation(result: EvaluationResult): string {
  return [
    'Evaluation',
    '',
    '--- Entities (named entity recognition (NER)) ---',
    'An entity is considered correct if the entity type and span is predicted correctly',
    '',
    formatTable(result.ner),
    '',
    '--- Relations ---',
    '',
    'Without named entity classification (NEC)',
    'A relation is considered correct if the relation type and the spans of the two related entities are predicted correctly (entity type is not considered)',
    '',
    formatTable(result.rel),
    '',
    'With named entity classification (NEC)',
    'A relation is considered correct if the relation type and the two related entities are predicted correctly (in span and entity type)',
    '',
    formatTable(result.relNec),
    '',
  ].join('\n');
}
