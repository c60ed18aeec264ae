import * as path from 'node:path';
import { parseTypes, typesToJson, type TypesFileJson } from './types-schema';
import { typesFileOf } from './types-source';
import type { TypesSchema } from './types';
import { SpertError } from './errors';

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
  /** Where training draws negative relation pairs from (relation_negatives; the paper's ablation). */
  relationNegatives: RelationNegatives;
  /** What the relation classifier takes as context (relation_context; the paper's ablation). */
  relationContext: RelationContext;
  /** How a span's wordpieces are fused into its representation (span_pooling; the paper's ablation). */
  spanPooling: SpanPooling;
  /** Whether the relation classifier also reads the head's and tail's entity type (relation_entity_types; SpERT.PL's idea). */
  relationEntityTypes: RelationEntityTypes;
  /** Width of the entity-type embedding the relation classifier reads when `relationEntityTypes` is 'embedding' (type_embedding_size). */
  typeEmbedding: number;
  /** Whether relations are restricted to the (head type, relation, tail type) triples of the training set (relation_type_constraints). */
  relationTypeConstraints: RelationTypeConstraints;
  /** The allowed triples (entity key, relation key, entity key) when `relationTypeConstraints` is 'train' (relation_triples). */
  relationTriples?: RelationTriple[];
  /** Per relation type key: its own threshold, overriding `relFilterThreshold` (rel_thresholds; tuned on a development set). */
  relThresholds?: Record<string, number>;
}

/** 'none' = the reference's relation classifier; 'embedding' = it also reads a learned embedding of both entity types. */
export type RelationEntityTypes = 'none' | 'embedding';

/** 'off' = every triple may be emitted (the reference); 'train' = only the triples seen in the training set. */
export type RelationTypeConstraints = 'off' | 'train';

/** (head entity type key, relation type key, tail entity type key). */
export type RelationTriple = [string, string, string];

/**
 * Negative relation pairs in training: 'strong' = ordered pairs of distinct gold entities that are
 * not related (the reference); 'weak' = ordered pairs of any two spans of the training sample
 * (gold and sampled negative spans alike) that are not a positive pair.
 */
export type RelationNegatives = 'strong' | 'weak';

/**
 * The relation context vector: 'localized' = max-pool strictly between the two spans (the
 * reference); 'sentence' = max-pool over all of the sentence's wordpieces ([CLS]/[SEP] excluded);
 * 'cls' = the [CLS] vector; 'none' = zeros (the classifier keeps its input size, so checkpoints
 * keep the reference's layout).
 */
export type RelationContext = 'localized' | 'sentence' | 'cls' | 'none';

/** Fusion of a span's wordpiece states: element-wise 'max' (the reference), 'mean' or 'sum'. */
export type SpanPooling = 'max' | 'mean' | 'sum';

/** The accepted values of each ablation setting, in the order the docs list them (default first). */
export const SETTING_CHOICES = {
  relationNegatives: ['strong', 'weak'],
  relationContext: ['localized', 'sentence', 'cls', 'none'],
  spanPooling: ['max', 'mean', 'sum'],
  relationEntityTypes: ['none', 'embedding'],
  relationTypeConstraints: ['off', 'train'],
} as const satisfies {
  relationNegatives: readonly RelationNegatives[];
  relationContext: readonly RelationContext[];
  spanPooling: readonly SpanPooling[];
  relationEntityTypes: readonly RelationEntityTypes[];
  relationTypeConstraints: readonly RelationTypeConstraints[];
};

/** JSON layout of the "spert" object in config.json. */
export interface SpertSettingsJson {
  types: TypesFileJson;
  max_span_size: number;
  size_embedding: number;
  rel_filter_threshold: number;
  max_pairs: number;
  prop_drop: number;
  /** Absent in the reference's directories and ours before the ablations: read as 'strong'. */
  relation_negatives?: RelationNegatives;
  /** Absent: 'localized'. */
  relation_context?: RelationContext;
  /** Absent: 'max'. */
  span_pooling?: SpanPooling;
  /** Absent: 'none' (written only when not the default, like the three keys below). */
  relation_entity_types?: RelationEntityTypes;
  /** Absent: 25. */
  type_embedding_size?: number;
  /** Absent: 'off'. */
  relation_type_constraints?: RelationTypeConstraints;
  /** Absent: no table. */
  relation_triples?: RelationTriple[];
  /** Absent: every type uses rel_filter_threshold. */
  rel_thresholds?: Record<string, number>;
}

/** The reference's defaults (configs/example_train.conf). */
export const SPERT_DEFAULTS: Omit<SpertSettings, 'types'> = {
  maxSpanSize: 10,
  sizeEmbedding: 25,
  relFilterThreshold: 0.4,
  maxPairs: 1000,
  propDrop: 0.1,
  relationNegatives: 'strong',
  relationContext: 'localized',
  spanPooling: 'max',
  relationEntityTypes: 'none',
  typeEmbedding: 25,
  relationTypeConstraints: 'off',
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
    relation_negatives: s.relationNegatives,
    relation_context: s.relationContext,
    span_pooling: s.spanPooling,
    // The switches of issue 23 are written only when used, so a reference-configured model's config.json stays as it was.
    ...(s.relationEntityTypes !== 'none' ? { relation_entity_types: s.relationEntityTypes, type_embedding_size: s.typeEmbedding } : {}),
    ...(s.relationTypeConstraints !== 'off' ? { relation_type_constraints: s.relationTypeConstraints } : {}),
    ...(s.relationTriples ? { relation_triples: s.relationTriples.map((t) => [...t] as RelationTriple) } : {}),
    ...(s.relThresholds ? { rel_thresholds: { ...s.relThresholds } } : {}),
  };
}

function choiceField<T extends string>(obj: Record<string, unknown>, key: string, choices: readonly T[], fallback: T, source: string): T {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: spert.${key} must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function numberField(obj: Record<string, unknown>, key: string, fallback: number, source: string): number {
  const v = obj[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SpertError('INVALID_MODEL_CONFIG', `${source}: spert.${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Reads SpERT settings from a parsed config.json. The reference does not store the types with
 * the model, so `types` (from a types file) is required for its directories and, when given for
 * ours, must agree with what the model was trained on.
 */
export function readSettings(config: Record<string, unknown>, options: { types?: TypesSchema; source?: string; typesFile?: string } = {}): SpertSettings {
  const source = options.source ?? 'config.json';
  const version = config.spert_version;
  if (version !== undefined && version !== SPERT_VERSION) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: spert_version ${JSON.stringify(version)} is not supported; only ${SPERT_VERSION} checkpoints are (the reference refuses older ones too)`);
  }
  const raw = config.spert;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: "spert" must be an object`);
  }
  const obj = (raw ?? {}) as Record<string, unknown>;
  const stored = obj.types !== undefined ? parseTypes(obj.types, { source: `${source} (spert.types)` }) : undefined;
  if (stored && options.types) assertSameTypes(stored, options.types, { source, typesFile: options.typesFile });
  const types = stored ?? options.types;
  if (!types) {
    throw new SpertError('INVALID_MODEL_CONFIG',
      `${source}: the model does not store its entity/relation types (a directory saved by the reference SpERT code); pass the types file it was trained with (--types path/to/*_types.json)`,
    );
  }
  const maxSpanSize = numberField(obj, 'max_span_size', SPERT_DEFAULTS.maxSpanSize, source);
  if (!Number.isInteger(maxSpanSize) || maxSpanSize < 1 || maxSpanSize >= 100) {
    throw new SpertError('INVALID_MODEL_CONFIG', `${source}: spert.max_span_size must be an integer in 1..99 (the width embedding has 100 rows), got ${maxSpanSize}`);
  }
  return {
    types,
    maxSpanSize,
    sizeEmbedding: numberField(obj, 'size_embedding', SPERT_DEFAULTS.sizeEmbedding, source),
    relFilterThreshold: numberField(obj, 'rel_filter_threshold', SPERT_DEFAULTS.relFilterThreshold, source),
    maxPairs: numberField(obj, 'max_pairs', SPERT_DEFAULTS.maxPairs, source),
    propDrop: numberField(obj, 'prop_drop', SPERT_DEFAULTS.propDrop, source),
    relationNegatives: choiceField(obj, 'relation_negatives', SETTING_CHOICES.relationNegatives, SPERT_DEFAULTS.relationNegatives, source),
    relationContext: choiceField(obj, 'relation_context', SETTING_CHOICES.relationContext, SPERT_DEFAULTS.relationContext, source),
    spanPooling: choiceField(obj, 'span_pooling', SETTING_CHOICES.spanPooling, SPERT_DEFAULTS.spanPooling, source),
    ...readSwitches(obj, types, source),
  };
}

/** The relation-head switches (entity types, type constraints, per-type thresholds), checked against the types. */
function readSwitches(obj: Record<string, unknown>, types: TypesSchema, source: string): Pick<SpertSettings, 'relationEntityTypes' | 'typeEmbedding' | 'relationTypeConstraints' | 'relationTriples' | 'relThresholds'> {
  const relationEntityTypes = choiceField(obj, 'relation_entity_types', SETTING_CHOICES.relationEntityTypes, SPERT_DEFAULTS.relationEntityTypes, source);
  const typeEmbedding = numberField(obj, 'type_embedding_size', SPERT_DEFAULTS.typeEmbedding, source);
  if (!Number.isInteger(typeEmbedding) || typeEmbedding < 1) throw new Error(`${source}: spert.type_embedding_size must be a positive integer, got ${typeEmbedding}`);
  const relationTypeConstraints = choiceField(obj, 'relation_type_constraints', SETTING_CHOICES.relationTypeConstraints, SPERT_DEFAULTS.relationTypeConstraints, source);
  const entityKeys = new Set(types.entities.map((e) => e.key));
  const relationKeys = new Set(types.relations.map((r) => r.key));
  let relationTriples: RelationTriple[] | undefined;
  if (obj.relation_triples !== undefined) {
    if (!Array.isArray(obj.relation_triples)) throw new Error(`${source}: spert.relation_triples must be an array of [head type, relation type, tail type]`);
    relationTriples = obj.relation_triples.map((t: unknown, i) => {
      const ok = Array.isArray(t) && t.length === 3 && entityKeys.has(t[0]) && relationKeys.has(t[1]) && entityKeys.has(t[2]);
      if (!ok) throw new Error(`${source}: spert.relation_triples[${i}] must be [entity type, relation type, entity type] of the model's types, got ${JSON.stringify(t)}`);
      return [t[0], t[1], t[2]] as RelationTriple;
    });
  }
  if (relationTypeConstraints === 'train' && !relationTriples) {
    throw new Error(`${source}: spert.relation_type_constraints is "train" but spert.relation_triples is missing (the table of triples seen in training)`);
  }
  let relThresholds: Record<string, number> | undefined;
  if (obj.rel_thresholds !== undefined) {
    const raw = obj.rel_thresholds;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: spert.rel_thresholds must be an object {relation type: threshold}`);
    relThresholds = {};
    for (const [k, v] of Object.entries(raw)) {
      if (!relationKeys.has(k)) throw new Error(`${source}: spert.rel_thresholds names "${k}", which is not one of the model's relation types (${[...relationKeys].join(', ')})`);
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${source}: spert.rel_thresholds.${k} must be a number in [0, 1], got ${JSON.stringify(v)}`);
      relThresholds[k] = v;
    }
  }
  return { relationEntityTypes, typeEmbedding, relationTypeConstraints, ...(relationTriples ? { relationTriples } : {}), ...(relThresholds ? { relThresholds } : {}) };
}

/** Where the two schemas of {@link assertSameTypes} come from, for its message. */
export interface TypesOrigin {
  /** The model's config.json (its directory is named as the model's). */
  source?: string;
  /** The types file; defaults to the file readTypes read `given` from. */
  typesFile?: string;
}

/**
 * Throws, naming the types file, the model directory and the first difference (entities
 * compared with entities, relations with relations), when two schemas would assign different
 * class indices.
 */
export function assertSameTypes(model: TypesSchema, given: TypesSchema, origin: string | TypesOrigin = {}): void {
  const o: TypesOrigin = typeof origin === 'string' ? { source: origin } : origin;
  const difference = firstDifference('entity', model.entities.map((e) => e.key), given.entities.map((e) => e.key)) ??
    firstDifference('relation', model.relations.map((r) => `${r.key}${r.symmetric ? ' (symmetric)' : ''}`), given.relations.map((r) => `${r.key}${r.symmetric ? ' (symmetric)' : ''}`));
  if (difference === undefined) return;
  const source = o.source ?? 'model';
  const typesFile = o.typesFile ?? typesFileOf(given);
  const modelDir = path.basename(source) === 'config.json' ? path.dirname(source) : undefined;
  throw new SpertError('INVALID_MODEL_CONFIG',
    `${source}: the types file${typesFile ? ` ${typesFile}` : ''} does not match the model${modelDir ? ` in ${modelDir}` : ''}: ${difference}. ` +
      'Class indices follow the order of the types file; pass the types file the model was trained with, or none (this model stores its types).',
  );
}

/** The first position where two ordered lists of type names differ, described for a message. */
function firstDifference(kind: 'entity' | 'relation', model: string[], given: string[]): string | undefined {
  for (let i = 0; i < Math.max(model.length, given.length); i++) {
    if (model[i] === given[i]) continue;
    if (model[i] === undefined || given[i] === undefined) {
      return `the model has ${model.length} ${kind} type(s) (${model.join(', ') || 'none'}), the types file ${given.length} (${given.join(', ') || 'none'})`;
    }
    return `${kind} ${i + 1} is ${model[i]} in the model but ${given[i]} in the types file`;
  }
  return undefined;
}
