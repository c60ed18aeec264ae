import type { EntityType, RelationType, TypesSchema } from './types';
import { SpertError } from './errors';

/** JSON layout of a SpERT `*_types.json` file. */
export interface TypesFileJson {
  entities: Record<string, { short: string; verbose: string }>;
  relations: Record<string, { short: string; verbose: string; symmetric: boolean }>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses a types file. Class indices follow the reference: 0 is the implicit "none" class,
 * the file's keys get 1..n in file order (JSON object key order is insertion order in JS).
 */
export function parseTypes(json: unknown, options: { source?: string } = {}): TypesSchema {
  const source = options.source ?? 'types';
  const errors: string[] = [];
  if (!isRecord(json)) throw new SpertError('INVALID_FILE', `${source}: a types file must be an object with "entities" and "relations"`);
  const section = (name: 'entities' | 'relations'): Record<string, unknown> => {
    const v = json[name];
    if (!isRecord(v)) {
      errors.push(`"${name}" must be an object mapping type keys to {short, verbose${name === 'relations' ? ', symmetric' : ''}}`);
      return {};
    }
    return v;
  };
  const text = (where: string, entry: Record<string, unknown>, field: string, key: string): string => {
    const v = entry[field];
    if (v === undefined) return key; // the reference requires it; a missing label falls back to the key
    if (typeof v !== 'string') errors.push(`${where}.${field} must be a string`);
    return String(v);
  };
  const entities: EntityType[] = [];
  Object.entries(section('entities')).forEach(([key, raw], i) => {
    const where = `entities.${key}`;
    if (!isRecord(raw)) return void errors.push(`${where} must be an object`);
    entities.push({ key, index: i + 1, short: text(where, raw, 'short', key), verbose: text(where, raw, 'verbose', key) });
  });
  const relations: RelationType[] = [];
  Object.entries(section('relations')).forEach(([key, raw], i) => {
    const where = `relations.${key}`;
    if (!isRecord(raw)) return void errors.push(`${where} must be an object`);
    const sym = raw.symmetric ?? false;
    if (typeof sym !== 'boolean') errors.push(`${where}.symmetric must be true or false`);
    relations.push({
      key,
      index: i + 1,
      short: text(where, raw, 'short', key),
      verbose: text(where, raw, 'verbose', key),
      symmetric: sym === true,
    });
  });
  if (entities.length === 0 && errors.length === 0) errors.push('"entities" lists no entity type');
  if (errors.length > 0) throw new SpertError('INVALID_FILE', `${source}: invalid types file:\n  - ${errors.join('\n  - ')}`);
  return { entities, relations };
}

/** Converts a schema back to the types-file layout (keys in class-index order). */
export function typesToJson(types: TypesSchema): TypesFileJson {
  const byIndex = <T extends { index: number }>(a: T[]): T[] => [...a].sort((x, y) => x.index - y.index);
  const entities: TypesFileJson['entities'] = {};
  for (const t of byIndex(types.entities)) entities[t.key] = { short: t.short, verbose: t.verbose };
  const relations: TypesFileJson['relations'] = {};
  for (const t of byIndex(types.relations)) relations[t.key] = { short: t.short, verbose: t.verbose, symmetric: t.symmetric };
  return { entities, relations };
}

/** Looks up an entity type by key, throwing with the known keys when absent. */
export function entityType(types: TypesSchema, key: string): EntityType {
  const t = types.entities.find((e) => e.key === key);
  if (!t) throw new SpertError('INVALID_INPUT', `unknown entity type "${key}" (known: ${types.entities.map((e) => e.key).join(', ')})`);
  return t;
}

/** Looks up a relation type by key, throwing with the known keys when absent. */
export function relationType(types: TypesSchema, key: string): RelationType {
  const t = types.relations.find((e) => e.key === key);
  if (!t) throw new SpertError('INVALID_INPUT', `unknown relation type "${key}" (known: ${types.relations.map((e) => e.key).join(', ')})`);
  return t;
}
