/** Every kind of thing a conversion reports; the summary counts each. */
export type ProblemKind =
  /** an entity boundary falls inside a word and `boundaries: 'report'` left the entity out */
  | 'boundary-inside-word'
  /** an entity boundary fell inside a word and was moved outward to the word's edge (`boundaries: 'snap'`) */
  | 'snapped-to-word'
  /** a brat entity with several fragments (left out, or joined with `discontinuous: 'join'`) */
  | 'discontinuous-entity'
  /** an entity whose offsets cover no word (only spaces, or outside the text) */
  | 'no-words'
  /** the text a tool stored for an entity differs from the text at its offsets */
  | 'text-mismatch'
  /** a relation whose two entities fall in different sentences (left out) */
  | 'cross-sentence-relation'
  /** sentences joined because an entity crossed their boundary */
  | 'sentences-joined'
  /** a relation whose entity is missing or was left out */
  | 'dangling-relation'
  /** a label outside the schema passed in */
  | 'unknown-type'
  /** two entities with the same words and type: kept once, relations follow the kept one */
  | 'duplicate-entity'
  /** a relation seen twice: kept once */
  | 'duplicate-relation'
  /** a line, result or field the format allows but SpERT has no place for (brat E/A/M/N/#/*, other result types) */
  | 'skipped-annotation'
  /** a line, task or field that cannot be read */
  | 'malformed'
  /** Label Studio: a task with several usable annotations (which one was taken is said) */
  | 'several-annotations'
  /** a task or file without annotations to convert (converted with none, or skipped when asked for one annotator) */
  | 'no-annotation'
  /** word offsets recorded by the export that do not fit the text (the splitter was used instead) */
  | 'bad-recorded-words'
  /** a document whose text has no word (skipped) */
  | 'empty-document';

/** One thing a conversion could not carry over as it was, located as precisely as the format allows. */
export interface AnnotationProblem {
  kind: ProblemKind;
  /** Input file. */
  source: string;
  /** 1-based line in the input file (brat `.ann`, doccano JSONL). */
  line?: number;
  /** Document id: brat file stem, Label Studio task id, doccano id. */
  document?: string;
  /** Id of the annotation in the tool (brat `T3`, a Label Studio region id). */
  annotation?: string;
  /** The text in question (an entity's words, a skipped line). */
  text?: string;
  message: string;
}

/** Renders a problem as `file:line: document 12, T3 "New Yor": message`. */
export function formatAnnotationProblem(p: AnnotationProblem): string {
  const where = `${p.source}${p.line !== undefined ? `:${p.line}` : ''}`;
  const what = [
    p.document !== undefined ? `document ${p.document}` : undefined,
    [p.annotation, p.text !== undefined ? JSON.stringify(p.text) : undefined].filter(Boolean).join(' ') || undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return `${where}: ${what ? `${what}: ` : ''}${p.message} [${p.kind}]`;
}

/** Counts of a conversion: what came through and every kind of problem. */
export interface ConversionSummary {
  /** Documents of the input (files, tasks, lines) that had text. */
  inputDocuments: number;
  /** SpERT documents written (more than the input with sentence splitting). */
  documents: number;
  entities: number;
  relations: number;
  /** Problem kind -> count (only kinds that occurred). */
  problems: Partial<Record<ProblemKind, number>>;
}

/** Counts problems by kind. */
export function countProblems(problems: readonly AnnotationProblem[]): Partial<Record<ProblemKind, number>> {
  const out: Partial<Record<ProblemKind, number>> = {};
  for (const p of problems) out[p.kind] = (out[p.kind] ?? 0) + 1;
  return out;
}

/** Renders a summary as a few lines: the counts, then each problem kind with its count. */
export function formatSummary(s: ConversionSummary): string {
  const lines = [
    `input documents: ${s.inputDocuments}`,
    `documents: ${s.documents}`,
    `entities: ${s.entities}`,
    `relations: ${s.relations}`,
  ];
  const kinds = Object.entries(s.problems).sort(([a], [b]) => a.localeCompare(b));
  lines.push(kinds.length === 0 ? 'problems: none' : `problems: ${kinds.reduce((n, [, c]) => n + (c ?? 0), 0)}`);
  for (const [k, c] of kinds) lines.push(`  ${k}: ${c}`);
  return lines.join('\n');
}
