import type { TypesSchema } from './types';

// Kept beside the schema rather than in it: a field on TypesSchema would make schemas read from
// a file differ (toEqual, JSON) from the same schema stored in a model's config.json.
const typesFiles = new WeakMap<TypesSchema, string>();

/** Records the file a schema was read from, so later mismatch messages can name it. */
export function rememberTypesFile(types: TypesSchema, file: string): void {
  typesFiles.set(types, file);
}

/** The file a schema was read from by readTypes, if any. */
export function typesFileOf(types: TypesSchema): string | undefined {
  return typesFiles.get(types);
}
