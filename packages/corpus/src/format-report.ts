import type { CorpusReport } from './read-corpus';

/**
 * The report as lines for a log: totals, then each file with bad lines and its examples
 * (`file:line: why`), so that skipped input is never silent.
 */
export function formatCorpusReport(report: CorpusReport): string {
  const lines = [
    `corpus: ${report.documents} documents, ${report.words} words from ${report.files.length} file(s)` +
      (report.otherPart > 0 ? `; ${report.otherPart} documents in the other part of the split` : '') +
      (report.badLines > 0 ? `; ${report.badLines} bad line(s) skipped` : '') +
      (report.complete ? '' : ' (pass not finished)'),
  ];
  for (const f of report.files) {
    if (f.badLines === 0) continue;
    lines.push(`  ${f.path}: ${f.badLines} bad line(s) of ${f.lines}${f.badLines > f.examples.length ? `, the first ${f.examples.length}:` : ':'}`);
    for (const e of f.examples) lines.push(`    ${e.source}:${e.line}: ${e.reason}`);
  }
  return lines.join('\n');
}
