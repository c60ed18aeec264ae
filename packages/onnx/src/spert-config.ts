// SpERT's fields of config.json (the "spert" object) and reading them back with clear errors.
import { parseTypes, typesToJson, type TypesFileJson, type TypesSchema } from '@spert/core';

/** SpERT's inference settings stored under config.json's "spert" key. */
export interface SpertSettings {
  types: TypesSchema;
  maxSpanSize: number;
  sizeEmbedding: number;
  relFilterThreshold: number;
  maxPairs: number;
}

/** The reference's defaults (SPERT_REFERENCE §2.4). */
export const SPERT_DEFAULTS = { maxSpanSize: 10, sizeEmbedding: 25, relFilterThreshold: 0.4, maxPairs: 1000 } as const;

/** The "spert" object as written into config.json (snake_case like the rest of the file). */
export interface SpertConfigJson {
  types: TypesFileJson;
  max_span_size: number;
  size_embedding: number;
  rel_filter_threshold: number;
  max_pairs: number;
}

/** Serializes settings into config.json's "spert" object (types keep their class order). */
export function spertSettingsToJson(s: SpertSettings): SpertConfigJson {
  return {
    types: typesToJson(s.types),
    max_span_size: s.maxSpanSize,
    size_embedding: s.sizeEmbedding,
    rel_filter_threshold: s.relFilterThreshold,
    max_pairs: s.maxPairs,
  };
}

/**
 * Reads the "spert" object of a parsed config.json; `types` (e.g. from a *_types.json file)
 * is required when the object is missing, as in the reference's own model directories.
 */
export function readSpertSettings(config: Record<string, unknown>, options: { types?: TypesSchema; source?: string } = {}): SpertSettings {
  const source = options.source ?? 'config.json';
  const version = config.spert_version;
  if (version !== undefined && version !== '1.1') {
    throw new Error(`${source}: spert_version "${String(version)}" is not supported (only "1.1", the reference's current max-pooling)`);
  }
  const raw = config.spert;
  if (raw === undefined) {
    if (!options.types) {
      throw new Error(`${source}: no "spert" object with the entity/relation types (a reference model directory); pass the dataset's *_types.json as \`types\``);
    }
    return { types: options.types, ...SPERT_DEFAULTS };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: field "spert" must be an object`);
  const o = raw as Record<string, unknown>;
  const num = (key: string, fallback: number): number => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: field "spert.${key}" must be a number, got ${JSON.stringify(o[key])}`);
    return v;
  };
  const types = options.types ?? parseTypes(o.types, { source: `${source} (spert.types)` });
  return {
    types,
    maxSpanSize: num('max_span_size', SPERT_DEFAULTS.maxSpanSize),
    sizeEmbedding: num('size_embedding', SPERT_DEFAULTS.sizeEmbedding),
    relFilterThreshold: num('rel_filter_threshold', SPERT_DEFAULTS.relFilterThreshold),
    maxPairs: num('max_pairs', SPERT_DEFAULTS.maxPairs),
  };
}
