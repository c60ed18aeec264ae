import type { DatasetProblem } from './problems';
import { DatasetValidationError } from './problems';
import type { Document, Entity, Relation, TypesSchema } from './types';

/** Options of {@link validateDocuments}. */
export interface ValidateOptions {
  /** Label used in problem messages (usually the file name). */
  source?: string;
  /**
   * How to treat duplicate entities (same span and type) and duplicate relations (same type,
   * head, tail). Default 'warning': the reference keeps them (SciERC train has 4 duplicate
   * relations) and its evaluator counts each distinct tuple once.
   */
  duplicates?: 'warning' | 'error';
}

/** Result of validation: the valid documents, every problem, and how many documents were skipped. */
export interface ValidationResult {
  documents: Document[];
  problems: DatasetProblem[];
  /** Indices (in the input array) of documents left out because they had errors. */
  skipped: number[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

type Report = (field: string | undefined, message: string, severity?: 'error' | 'warning') => void;

/** The two annotation lists of a document: how messages name an item and show the object it must be. */
const LISTS = {
  entities: { name: 'entity', shape: '{type, start, end}' },
  relations: { name: 'relation', shape: '{type, head, tail}' },
} as const;

/** What one annotation list checks and reads beyond what every list does. */
interface AnnotationFields<T> {
  /** Checks the fields other than type; `fail` reports a problem that leaves the item out. */
  checkFields(item: Record<string, unknown>, f: string, fail: (field: string, message: string) => void): void;
  /** The item, without its score, once every field passed. */
  build(item: Record<string, unknown>): T;
  /** What makes two items duplicates, and how a duplicate is described. */
  key(item: T): string;
  describe(item: T): string;
}

/** Reads one annotation list, reporting every problem: items must be objects with a known type and valid fields; duplicates are reported. */
function readAnnotations<T extends Entity | Relation>(raw: unknown, field: keyof typeof LISTS, keys: ReadonlySet<string>, list: AnnotationFields<T>, report: Report, dupSeverity: 'error' | 'warning'): T[] {
  const { name, shape } = LISTS[field];
  const out: T[] = [];
  if (!Array.isArray(raw)) {
    report(field, `must be an array, got ${show(raw)}`);
    return out;
  }
  const seen = new Map<string, number>();
  raw.forEach((item: unknown, i) => {
    const f = `${field}[${i}]`;
    if (!isRecord(item)) return void report(f, `must be an object ${shape}, got ${show(item)}`);
    let ok = true;
    const fail = (at: string, message: string): void => {
      ok = false;
      report(at, message);
    };
    if (typeof item.type !== 'string') fail(`${f}.type`, `must be a string, got ${show(item.type)}`);
    else if (!keys.has(item.type)) fail(`${f}.type`, `unknown ${name} type "${item.type}" (known: ${[...keys].join(', ')})`);
    list.checkFields(item, f, fail);
    if (!ok) return;
    const x = list.build(item);
    // predictions carry scores: keep them so read predictions can be re-written or ranked
    if (typeof item.score === 'number') (x as T & { score: number }).score = item.score;
    const k = list.key(x);
    const prev = seen.get(k);
    if (prev !== undefined) report(f, `duplicate of ${field}[${prev}] (${list.describe(x)})`, dupSeverity);
    else seen.set(k, i);
    out.push(x);
  });
  return out;
}

/**
 * Checks SpERT documents against a types schema and reports EVERY problem with its document
 * index and field. Never throws for document-level problems; a non-array root throws.
 */
export function validateDocuments(json: unknown, types: TypesSchema, options: ValidateOptions = {}): ValidationResult {
  const source = options.source ?? 'dataset';
  if (!Array.isArray(json)) {
    throw new DatasetValidationError([
      { source, message: `the root must be an array of documents, got ${json === null ? 'null' : typeof json}`, severity: 'error' },
    ]);
  }
  const entityKeys = new Set(types.entities.map((t) => t.key));
  const relationKeys = new Set(types.relations.map((t) => t.key));
  const dupSeverity = options.duplicates ?? 'warning';
  const problems: DatasetProblem[] = [];
  const documents: Document[] = [];
  const skipped: number[] = [];

  json.forEach((raw: unknown, d) => {
    let bad = false;
    const report = (field: string | undefined, message: string, severity: 'error' | 'warning' = 'error'): void => {
      problems.push({ source, document: d, ...(field !== undefined ? { field } : {}), message, severity });
      if (severity === 'error') bad = true;
    };
    if (!isRecord(raw)) {
      report(undefined, `a document must be an object {tokens, entities, relations}, got ${Array.isArray(raw) ? 'an array' : show(raw)}`);
      skipped.push(d);
      return;
    }
    const tokens = raw.tokens;
    let nTokens = 0;
    if (!Array.isArray(tokens)) report('tokens', `must be an array of words, got ${show(tokens)}`);
    else if (tokens.length === 0) report('tokens', 'is empty');
    else {
      nTokens = tokens.length;
      tokens.forEach((t, i) => {
        if (typeof t !== 'string') report(`tokens[${i}]`, `must be a string, got ${show(t)}`);
        else if (t.length === 0) report(`tokens[${i}]`, 'is an empty string (the tokenizer maps it to [UNK])', 'warning');
      });
    }

    const entities = readAnnotations<Entity>(raw.entities, 'entities', entityKeys, {
      checkFields(e, f, fail) {
        const { start, end } = e;
        if (!Number.isInteger(start)) fail(`${f}.start`, `must be an integer, got ${show(start)}`);
        if (!Number.isInteger(end)) fail(`${f}.end`, `must be an integer, got ${show(end)}`);
        if (Number.isInteger(start) && Number.isInteger(end)) {
          const s = start as number;
          const en = end as number;
          if (s < 0 || (nTokens > 0 && s >= nTokens)) fail(`${f}.start`, `${s} out of range 0..${nTokens - 1}`);
          if (en <= s) fail(`${f}.end`, `${en} <= start ${s}`);
          else if (nTokens > 0 && en > nTokens) fail(`${f}.end`, `${en} > number of tokens ${nTokens}`);
        }
      },
      build: (e) => ({ type: e.type as string, start: e.start as number, end: e.end as number }),
      key: (e) => `${e.type}\u0000${e.start}\u0000${e.end}`,
      describe: (e) => `${e.type} ${e.start}..${e.end}`,
    }, report, dupSeverity);

    const nEnt = Array.isArray(raw.entities) ? raw.entities.length : 0;
    const relations = readAnnotations<Relation>(raw.relations, 'relations', relationKeys, {
      checkFields(r, f, fail) {
        for (const arg of ['head', 'tail'] as const) {
          const v = r[arg];
          if (!Number.isInteger(v)) fail(`${f}.${arg}`, `must be an integer entity index, got ${show(v)}`);
          else if ((v as number) < 0 || (v as number) >= nEnt) fail(`${f}.${arg}`, `${v} out of range: the document has ${nEnt} entities`);
        }
      },
      build: (r) => ({ type: r.type as string, head: r.head as number, tail: r.tail as number }),
      key: (r) => `${r.type}\u0000${r.head}\u0000${r.tail}`,
      describe: (r) => `${r.type} ${r.head} -> ${r.tail}`,
    }, report, dupSeverity);

    if (bad) {
      skipped.push(d);
      return;
    }
    const doc: Document = { tokens: (tokens as string[]).slice(), entities, relations };
    if (raw.orig_id !== undefined && (typeof raw.orig_id === 'string' || typeof raw.orig_id === 'number')) doc.orig_id = raw.orig_id;
    documents.push(doc);
  });
  return { documents, problems, skipped };
}

/** Options of {@link parseDataset}. */
export interface ParseDatasetOptions extends ValidateOptions {
  /** Skip bad documents (reported in `problems`/`skipped`) instead of throwing. */
  lenient?: boolean;
  /** How the strict error tells the reader to skip bad documents (a CLI names its flag); see {@link DatasetValidationError}. */
  lenientHint?: string;
}

/**
 * Validates parsed JSON into documents. Strict (default): throws a {@link DatasetValidationError}
 * listing every error. Lenient: returns the valid documents and reports the skipped ones.
 */
export function parseDataset(json: unknown, types: TypesSchema, options: ParseDatasetOptions = {}): ValidationResult {
  const result = validateDocuments(json, types, options);
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (!options.lenient && errors.length > 0) throw new DatasetValidationError(errors, { source: options.source, lenientHint: options.lenientHint });
  return result;
}
