import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write';
import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';
import { readJsonFile } from './json-file';
import type { Document, TypesSchema } from './types';
import { parseTypes, typesToJson } from './types-schema';
import { rememberTypesFile } from './types-source';
import { describeSkipped } from './problems';
import type { ParseDatasetOptions, ValidationResult } from './validate';
import { parseDataset } from './validate';
import { SpertError } from './errors';

/** Reads and parses a `*_types.json` file. */
export async function readTypes(params: { path: string; fs?: Pick<FileSystem, 'readFile'> }): Promise<TypesSchema> {
  const json = await readJsonFile(params.path, { what: 'types file', fs: params.fs ?? nodeFileSystem });
  const types = parseTypes(json, { source: path.basename(params.path) });
  rememberTypesFile(types, params.path);
  return types;
}

/** Writes a types file (atomically) in the reference's layout. */
export async function writeTypes(params: { path: string; types: TypesSchema; fs?: FileSystem }): Promise<void> {
  await writeFileAtomic({ path: params.path, data: `${JSON.stringify(typesToJson(params.types), null, 2)}\n`, fs: params.fs });
}

/** Parameters of {@link readDataset}. */
export interface ReadDatasetParams extends Omit<ParseDatasetOptions, 'source'> {
  path: string;
  types: TypesSchema;
  fs?: Pick<FileSystem, 'readFile'>;
}

/**
 * Reads a SpERT dataset file and validates it. Strict by default (throws listing every error);
 * `lenient` returns the valid documents and reports skipped ones in `problems`/`skipped`.
 */
export async function readDataset(params: ReadDatasetParams): Promise<ValidationResult> {
  const json = await readJsonFile(params.path, { what: 'dataset', fs: params.fs ?? nodeFileSystem });
  return parseDataset(json, params.types, { ...params, source: path.basename(params.path) });
}

/** Writes documents as a SpERT dataset file (atomic: temporary file, then rename). */
export async function writeDataset(params: { path: string; documents: Document[]; fs?: FileSystem }): Promise<void> {
  const docs = params.documents.map((d) => {
    const out: Document = { tokens: d.tokens, entities: d.entities, relations: d.relations };
    if (d.orig_id !== undefined) out.orig_id = d.orig_id;
    return out;
  });
  await writeFileAtomic({ path: params.path, data: JSON.stringify(docs), fs: params.fs });
}

/** Parameters of {@link loadDataset}. */
export interface LoadDatasetParams extends ReadDatasetParams {
  /** What the documents are for, in messages ("training set", "gold dataset"). */
  role: string;
  /** An empty dataset (after skipping bad documents): 'refuse' throws, 'warn' logs a warning. */
  empty: 'refuse' | 'warn';
  /** Receives the skipped-documents summary and the empty-dataset warning. */
  log: (line: string) => void;
}

/**
 * readDataset for commands: never silent. Logs how many documents a lenient read skipped and
 * why, and refuses (or loudly warns about) a dataset with no documents, naming the file; an
 * empty file would otherwise train or score to all-zero tables without a word.
 */
export async function loadDataset(params: LoadDatasetParams): Promise<ValidationResult> {
  const { role, empty, log, ...read } = params;
  const result = await readDataset(read);
  const skipped = describeSkipped(result, params.path);
  if (skipped) log(skipped);
  if (result.documents.length === 0) {
    const why = result.skipped.length > 0 ? `all ${result.skipped.length} document(s) were skipped as invalid` : 'the file holds no documents ([])';
    const message = `${params.path}: the ${role} is empty: ${why}`;
    if (empty === 'refuse') throw new SpertError('INVALID_DATASET', message, { file: params.path });
    log(`WARNING: ${message}; every score below is 0`);
  }
  return result;
}
