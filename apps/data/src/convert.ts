import * as path from 'node:path';
import {
  exportAnnotations,
  formatAnnotationProblem,
  formatSummary,
  importAnnotations,
  readExportDocuments,
  type AlignOptions,
  type AnnotationFormat,
  type AnnotationProblem,
  type ExportDocument,
  type OffsetUnit,
} from '@spert/annotations';
import { readTypes, writeDataset, writeFileAtomic, writeTypes, type TypesSchema, SpertError } from '@spert/core';

/** Formats `spert-data convert` reads and writes: SpERT JSON and the three annotation tools. */
export type DataFormat = 'spert' | AnnotationFormat;

/** Options of {@link convertCommand} (the CLI's flags, parsed). */
export interface ConvertOptions extends AlignOptions {
  from: DataFormat;
  to: DataFormat;
  /** brat: a folder; Label Studio: a JSON file; doccano: a JSONL file; spert: a dataset or predictions JSON. */
  input: string;
  output: string;
  /**
   * To spert: the types file to write (default `<out>_types.json` beside the output). From spert:
   * the types file of the input (default: the labels found in it).
   */
  types?: string;
  /** Types file whose order and symmetric flags an import keeps (labels outside it are reported). */
  schemaFile?: string;
  /** Offset unit of the tool files (default: the tool's own). */
  offsets?: OffsetUnit;
  /** Label Studio input: key of the text in `data`. */
  textField?: string;
  /** Label Studio input: annotator (user id or e-mail) whose annotation to take. */
  annotator?: string;
  /** Label Studio input: with several annotations, the first or the latest. */
  pick?: 'first' | 'latest';
  /** Label Studio input: read the `predictions` instead of the `annotations`. */
  readPredictions?: boolean;
  /** Label Studio output: write annotations or predictions (default: predictions when the input has scores). */
  as?: 'annotations' | 'predictions';
  modelVersion?: string;
  /** Label Studio output: also write the labeling config (XML) here. */
  config?: string;
  /** Write every problem here, one JSON object a line. */
  problems?: string;
  /** How many problems to print (default 20). */
  showProblems?: number;
  log?: (s: string) => void;
}

function defaultTypesPath(out: string): string {
  const dir = path.dirname(out);
  const stem = path.basename(out).replace(/\.json$/i, '');
  return path.join(dir, `${stem}_types.json`);
}

/**
 * `spert-data convert`: from an annotation tool to SpERT JSON + types (with a summary and every
 * problem), from SpERT JSON or predictions to a tool, or from one tool to another through SpERT.
 * Resolves to the summary it printed.
 */
export async function convertCommand(o: ConvertOptions): Promise<string> {
  const log = o.log ?? (() => undefined);
  if (o.from === o.to) throw new SpertError('INVALID_OPTION', `--from and --to are both ${o.from}: nothing to convert`);
  const schema = o.schemaFile ? await readTypes({ path: o.schemaFile }) : undefined;
  let documents: ExportDocument[];
  let types: TypesSchema;
  let report = '';
  let problems: AnnotationProblem[] = [];
  if (o.from === 'spert') {
    const read = await readExportDocuments({ path: o.input, types: o.types ? await readTypes({ path: o.types }) : schema });
    documents = read.documents;
    types = read.types;
  } else {
    const r = await importAnnotations({
      ...o,
      format: o.from,
      path: o.input,
      schema,
      from: o.readPredictions ? 'predictions' : 'annotations',
    });
    documents = r.documents;
    types = r.types;
    problems = r.problems;
    report = formatSummary(r.summary);
  }
  const written: string[] = [];
  if (o.to === 'spert') {
    await writeDataset({ path: o.output, documents });
    const typesPath = o.types ?? defaultTypesPath(o.output);
    await writeTypes({ path: typesPath, types });
    written.push(o.output, typesPath);
  } else {
    const files = await exportAnnotations({
      format: o.to,
      documents,
      path: o.output,
      types,
      configPath: o.config,
      offsets: o.offsets && o.from === 'spert' ? o.offsets : undefined,
      as: o.as,
      modelVersion: o.modelVersion,
    });
    written.push(o.to === 'brat' ? o.output : files[0], ...(o.config ? [o.config] : []));
  }
  const shown = o.showProblems ?? 20;
  for (const p of problems.slice(0, shown)) log(formatAnnotationProblem(p));
  if (problems.length > shown) log(`... and ${problems.length - shown} more problem(s)${o.problems ? ` (all in ${o.problems})` : ' (--problems FILE writes them all)'}`);
  if (o.problems) {
    await writeFileAtomic({ path: o.problems, data: problems.map((p) => `${JSON.stringify(p)}\n`).join('') });
    written.push(o.problems);
  }
  const entities = documents.reduce((n, d) => n + d.entities.length, 0);
  const relations = documents.reduce((n, d) => n + d.relations.length, 0);
  const wrote = `wrote ${documents.length} document(s), ${entities} entities, ${relations} relations (${o.to}): ${written.join(', ')}`;
  return report ? `${report}\n${wrote}\n` : `${wrote}\n`;
}
