import * as nodeFs from 'node:fs/promises';
import * as path from 'node:path';
import { DatasetValidationError, nodeFileSystem, parseJsonLimited, validateDocuments, writeFileAtomic, type FileSystem, type TypesSchema, SpertError } from '@spert/core';
import { alignDocuments, type AlignOptions, type ConversionResult } from './align';
import { bratAnnotationConf, formatBrat, parseBrat } from './brat';
import { formatDoccano, parseDoccano } from './doccano';
import type { ExportDocument } from './document-text';
import { labelStudioConfig, parseLabelStudio, toLabelStudioTasks, type LabelStudioExportOptions, type ParseLabelStudioOptions } from './label-studio';
import type { AnnotationProblem } from './problems';
import type { OffsetUnit, TextDocument } from './types';

/** The annotation tools this package reads and writes. */
export type AnnotationFormat = 'brat' | 'label-studio' | 'doccano';

/**
 * The file-system calls of this module: the part of @spert/core's `FileSystem` port it uses, with
 * folder listing by entry type (brat collections are folders of .txt/.ann pairs); pass your own in tests.
 */
export type AnnotationFileSystem = Pick<FileSystem, 'readFile' | 'writeFile' | 'rename' | 'mkdir' | 'rm'> & Partial<Pick<FileSystem, 'fsync'>> & {
  /** The entries of a folder. */
  readdir(p: string, options: { withFileTypes: true }): Promise<Array<{
    name: string;
    /** A folder. */
    isDirectory(): boolean;
    /** A regular file. */
    isFile(): boolean;
  }>>;
};

const nodeAnnotationFs: AnnotationFileSystem = { ...nodeFileSystem, readdir: (p, o) => nodeFs.readdir(p, o) };

/** Options of {@link readAnnotations}. */
export interface ReadAnnotationsOptions extends Omit<ParseLabelStudioOptions, 'source' | 'offsets'> {
  format: AnnotationFormat;
  /** brat: a folder of `.txt` + `.ann` pairs (searched recursively); Label Studio: a JSON export; doccano: a JSONL file. */
  path: string;
  /** Offset unit of the files (defaults: brat and doccano 'code-points', Label Studio 'utf16'). */
  offsets?: OffsetUnit;
  fs?: AnnotationFileSystem;
}

async function readText(fs: AnnotationFileSystem, file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new SpertError('FILE_NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`);
  }
}

async function listTxt(fs: AnnotationFileSystem, dir: string, rel = ''): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
  } catch (e) {
    throw new SpertError('FILE_NOT_FOUND', `cannot read the brat folder ${path.join(dir, rel)}: ${(e as Error).message}`);
  }
  const out: string[] = [];
  for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listTxt(fs, dir, r)));
    else if (e.isFile() && e.name.endsWith('.txt')) out.push(r);
  }
  return out;
}

/** Reads annotation-tool files into documents with character offsets, and the problems met reading them. */
export async function readAnnotations(o: ReadAnnotationsOptions): Promise<{ documents: TextDocument[]; problems: AnnotationProblem[] }> {
  const fs = o.fs ?? nodeAnnotationFs;
  if (o.format === 'brat') {
    const documents: TextDocument[] = [];
    const problems: AnnotationProblem[] = [];
    const files = await listTxt(fs, o.path);
    if (files.length === 0) throw new SpertError('FILE_NOT_FOUND', `${o.path}: no .txt files (a brat folder holds <name>.txt and <name>.ann pairs)`);
    for (const rel of files) {
      const stem = rel.slice(0, -'.txt'.length);
      const base = path.join(o.path, stem);
      const text = await readText(fs, `${base}.txt`);
      const ann = await fs.readFile(`${base}.ann`, 'utf8').catch(() => undefined);
      if (ann === undefined) problems.push({ kind: 'no-annotation', source: `${stem}.txt`, document: stem, message: `no ${stem}.ann beside it: converted without annotations` });
      let metadata: unknown;
      const metaText = await fs.readFile(`${base}.spert.json`, 'utf8').catch(() => undefined);
      if (metaText !== undefined) {
        try {
          metadata = parseJsonLimited(metaText);
        } catch (e) {
          problems.push({ kind: 'bad-recorded-words', source: `${stem}.spert.json`, document: stem, message: `not JSON (${(e as Error).message}); splitWords splits the text instead` });
        }
      }
      const r = parseBrat({ text, ann: ann ?? '', id: stem, source: `${stem}.ann`, offsets: o.offsets, metadata });
      documents.push(r.document);
      problems.push(...r.problems);
    }
    return { documents, problems };
  }
  const raw = await readText(fs, o.path);
  const source = path.basename(o.path);
  if (o.format === 'doccano') return parseDoccano(raw, { source, offsets: o.offsets });
  let json: unknown;
  try {
    json = parseJsonLimited(raw);
  } catch (e) {
    throw new SpertError('INVALID_FILE', `${o.path} is not valid JSON (a Label Studio export is a JSON array of tasks): ${(e as Error).message}`);
  }
  return parseLabelStudio(json, { ...o, source });
}

/**
 * Reads annotation-tool files and converts them to SpERT documents (word indices) with a types
 * schema, a problem list and a summary. `readAnnotations` + `alignDocuments` in one call.
 */
export async function importAnnotations(o: ReadAnnotationsOptions & AlignOptions): Promise<ConversionResult> {
  const read = await readAnnotations(o);
  return alignDocuments({ ...o, documents: read.documents, problems: read.problems });
}

/** Types in first-seen order of the documents' labels (short = verbose = key, not symmetric). */
export function typesFromDocuments(documents: ReadonlyArray<{ entities?: unknown; relations?: unknown }>): TypesSchema {
  const ents: string[] = [];
  const rels: string[] = [];
  const collect = (list: unknown, into: string[]) => {
    if (!Array.isArray(list)) return;
    for (const x of list) {
      const t = (x as { type?: unknown } | null)?.type;
      if (typeof t === 'string' && !into.includes(t)) into.push(t);
    }
  };
  for (const d of documents) {
    collect(d?.entities, ents);
    collect(d?.relations, rels);
  }
  return {
    entities: ents.map((key, i) => ({ key, index: i + 1, short: key, verbose: key })),
    relations: rels.map((key, i) => ({ key, index: i + 1, short: key, verbose: key, symmetric: false })),
  };
}

/**
 * Reads a SpERT dataset or predictions file for export and validates it (throws listing every
 * problem). Keeps what an export needs beyond the dataset schema: scores, and the `offsets` and
 * `text` of predictions made on raw text. Without `types` they come from the labels in the file.
 */
export async function readExportDocuments(o: { path: string; types?: TypesSchema; fs?: AnnotationFileSystem }): Promise<{ documents: ExportDocument[]; types: TypesSchema }> {
  const raw = await readText(o.fs ?? nodeAnnotationFs, o.path);
  let json: unknown;
  try {
    json = parseJsonLimited(raw);
  } catch (e) {
    throw new SpertError('INVALID_FILE', `${o.path} is not valid JSON: ${(e as Error).message}`);
  }
  const source = path.basename(o.path);
  const types = o.types ?? (Array.isArray(json) ? typesFromDocuments(json) : { entities: [], relations: [] });
  const v = validateDocuments(json, types, { source });
  const errors = v.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new DatasetValidationError(errors, { source });
  const items = json as Array<Record<string, unknown>>;
  const documents = v.documents.map((d, i): ExportDocument => {
    const it = items[i];
    const out: ExportDocument = d;
    if (it.offsets !== undefined) out.offsets = it.offsets as Array<[number, number]>;
    if (typeof it.text === 'string') out.text = it.text;
    return out;
  });
  return { documents, types };
}

/** Options of {@link exportAnnotations}. */
export interface ExportAnnotationsOptions extends Omit<LabelStudioExportOptions, 'source'> {
  format: AnnotationFormat;
  documents: readonly ExportDocument[];
  /** brat: the folder to write; Label Studio: the JSON file; doccano: the JSONL file. */
  path: string;
  /** brat writes `annotation.conf` from it; Label Studio writes a labeling config with `configPath`. */
  types?: TypesSchema;
  /** Label Studio: also write the labeling config (XML) for the types here. */
  configPath?: string;
  /** Offset unit to write (defaults: brat and doccano 'code-points', Label Studio 'utf16'). */
  offsets?: OffsetUnit;
  fs?: AnnotationFileSystem;
}

/** Writes SpERT documents (gold or predicted) for an annotation tool; returns the files written. */
export async function exportAnnotations(o: ExportAnnotationsOptions): Promise<string[]> {
  const fs = o.fs ?? nodeAnnotationFs;
  const source = path.basename(o.path);
  const atomic = (p: string, data: string) => writeFileAtomic({ path: p, data, fs });
  if (o.format === 'brat') {
    await fs.mkdir(o.path, { recursive: true });
    const width = Math.max(4, String(o.documents.length - 1).length);
    const written: string[] = [];
    for (const [i, doc] of o.documents.entries()) {
      const files = formatBrat(doc, { where: `${source}: document ${i}`, offsets: o.offsets });
      const base = path.join(o.path, String(i).padStart(width, '0'));
      await fs.writeFile(`${base}.txt`, files.txt);
      await fs.writeFile(`${base}.ann`, files.ann);
      await fs.writeFile(`${base}.spert.json`, `${JSON.stringify(files.metadata)}\n`);
      written.push(`${base}.txt`, `${base}.ann`, `${base}.spert.json`);
    }
    if (o.types) {
      const conf = path.join(o.path, 'annotation.conf');
      await fs.writeFile(conf, bratAnnotationConf(o.types));
      written.push(conf);
    }
    return written;
  }
  if (o.format === 'doccano') {
    await atomic(o.path, formatDoccano(o.documents, { offsets: o.offsets, source }));
    return [o.path];
  }
  if (o.offsets === 'code-points') throw new SpertError('INVALID_OPTION', 'Label Studio offsets are UTF-16 code units; offsets: code-points is only for brat and doccano');
  // one task a line: readable, and diffs of a re-export stay small
  await atomic(o.path, `[\n${toLabelStudioTasks(o.documents, { ...o, source }).map((t) => JSON.stringify(t)).join(',\n')}\n]\n`);
  if (o.configPath) {
    if (!o.types) throw new SpertError('INVALID_OPTION', 'a Label Studio labeling config needs the types');
    await atomic(o.configPath, labelStudioConfig(o.types, o));
    return [o.path, o.configPath];
  }
  return [o.path];
}
