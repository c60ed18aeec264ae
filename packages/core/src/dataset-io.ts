import * as path from 'node:path';
import { writeFileAtomic } from './atomic-write';
import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';
import type { Document, TypesSchema } from './types';
import { parseTypes, typesToJson } from './types-schema';
import type { ParseDatasetOptions, ValidationResult } from './validate';
import { parseDataset } from './validate';

async function readJson(file: string, fs: FileSystem): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads and parses a `*_types.json` file. */
export async function readTypes(params: { path: string; fs?: FileSystem }): Promise<TypesSchema> {
  const json = await readJson(params.path, params.fs ?? nodeFileSystem);
  return parseTypes(json, { source: path.basename(params.path) });
}

/** Writes a types file (atomically) in the reference's layout. */
export async function writeTypes(params: { path: string; types: TypesSchema; fs?: FileSystem }): Promise<void> {
  await writeFileAtomic({ path: params.path, data: `${JSON.stringify(typesToJson(params.types), null, 2)}\n`, fs: params.fs });
}

/** Parameters of {@link readDataset}. */
export interface ReadDatasetParams extends Omit<ParseDatasetOptions, 'source'> {
  path: string;
  types: TypesSchema;
  fs?: FileSystem;
}

/**
 * Reads a SpERT dataset file and validates it. Strict by default (throws listing every error);
 * `lenient` returns the valid documents and reports skipped ones in `problems`/`skipped`.
 */
export async function readDataset(params: ReadDatasetParams): Promise<ValidationResult> {
  const json = await readJson(params.path, params.fs ?? nodeFileSystem);
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
