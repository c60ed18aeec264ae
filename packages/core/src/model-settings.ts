import { parseTypes, typesToJson, type TypesFileJson } from './types-schema';
import type { TypesSchema } from './types';

/** SpERT's own settings, stored in a model directory's config.json under "spert". */
export interface SpertSettings {
  types: TypesSchema;
  /** Longest candidate span in words (the reference's max_span_size). */
  maxSpanSize: number;
  /** Width-embedding dimension (size_embedding). */
  sizeEmbedding: number;
  /** Sigmoid threshold for relations (rel_filter_threshold). */
  relFilterThreshold: number;
  /** Relation candidates processed per chunk (max_pairs; not a cap). */
  maxPairs: number;
  /** Dropout on the concatenated representations (prop_drop). */
  propDrop: number;
}

/** JSON layout of the "spert" object in config.json. */
export interface SpertSettingsJson {
  types: TypesFileJson;
  max_span_size: number;
  size_embedding: number;
  rel_filter_threshold: number;
  max_pairs: number;
  prop_drop: number;
}

/** The reference's defaults (configs/example_train.conf). */
export const SPERT_DEFAULTS: Omit<SpertSettings, 'types'> = {
  maxSpanSize: 10,
  sizeEmbedding: 25,
  relFilterThreshold: 0.4,
  maxPairs: 1000,
  propDrop: 0.1,
};

/** Version tag the reference writes into config.json and checks on load. */
export const SPERT_VERSION = '1.1';

/** Serialises settings into the "spert" object of config.json. */
export function settingsToJson(s: SpertSettings): SpertSettingsJson {
  return {
    types: typesToJson(s.types),
    max_span_size: s.maxSpanSize,
    size_embedding: s.sizeEmbedding,
    rel_filter_threshold: s.relFilterThreshold,
    max_pairs: s.maxPairs,
    prop_drop: s.propDrop,
  };
}

function numberField(obj: Record<string, unknown>, key: string, fallback: number, source: string): number {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: spert.${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Reads SpERT settings from a parsed config.json. The reference does not store the types with
 * the model, so `types` (from a types file) is required for its directories and, when given for
 * ours, must agree with what the model was trained on.
 */
export function readSettings(config: Record<string, unknown>, options: { types?: TypesSchema; source?: string } = {}): SpertSettings {
  const source = options.source ?? 'config.json';
  const version = config.spert_version;
  if (version !== undefined && version !== SPERT_VERSION) {
    throw new Error(`${source}: spert_version ${JSON.stringify(version)} is not supported; only ${SPERT_VERSION} checkpoints are (the reference refuses older ones too)`);
  }
  const raw = config.spert;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new Error(`${source}: "spert" must be an object`);
  }
  const obj = (raw ?? {}) as Record<string, unknown>;
  const stored = obj.types !== undefined ? parseTypes(obj.types, { source: `${source} (spert.types)` }) : undefined;
  if (stored && options.types) assertSameTypes(stored, options.types, source);
  const types = stored ?? options.types;
  if (!types) {
    throw new Error(
      `${source}: the model does not store its entity/relation types (a directory saved by the reference SpERT code); pass the types file it was trained with (--types path/to/*_types.json)`,
    );
  }
  const maxSpanSize = numberField(obj, 'max_span_size', SPERT_DEFAULTS.maxSpanSize, source);
  if (!Number.isInteger(maxSpanSize) || maxSpanSize < 1 || maxSpanSize >= 100) {
    throw new Error(`${source}: spert.max_span_size must be an integer in 1..99 (the width embedding has 100 rows), got ${maxSpanSize}`);
  }
  return {
    types,
    maxSpanSize,
    sizeEmbedding: numberField(obj, 'size_embedding', SPERT_DEFAULTS.sizeEmbedding, source),
    relFilterThreshold: numberField(obj, 'rel_filter_threshold', SPERT_DEFAULTS.relFilterThreshold, source),
    maxPairs: numberField(obj, 'max_pairs', SPERT_DEFAULTS.maxPairs, source),
    propDrop: numberField(obj, 'prop_drop', SPERT_DEFAULTS.propDrop, source),
  };
}

/** Throws, naming the first difference, when two schemas would assign different class indices. */
export function assertSameTypes(model: TypesSchema, given: TypesSchema, source = 'model'): void {
  const describe = (t: TypesSchema): string[] => [
    ...t.entities.map((e) => `entity ${e.index}=${e.key}`),
    ...t.relations.map((r) => `relation ${r.index}=${r.key}${r.symmetric ? ' (symmetric)' : ''}`),
  ];
  const a = describe(model);
  const b = describe(given);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      throw new Error(
        `${source}: the types file does not match the model: model has ${a[i] ?? 'nothing'} where the types file has ${b[i] ?? 'nothing'} (class indices come from the order of the types file)`,
      );
    }
  }
}
