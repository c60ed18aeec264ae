import { parseJsonLimited } from '@spert/core';
import { documentText, entityOffsets, readSpertMetadata, spertMetadata, type ExportDocument } from './document-text';
import { offsetMap } from './offsets';
import type { AnnotationProblem } from './problems';
import type { OffsetUnit, SpertMetadata, TextDocument, TextEntity, TextRelation } from './types';

/** One line of doccano's relation-extraction JSONL, as this package writes it. */
export interface DoccanoRecord {
  id?: number | string;
  text: string;
  entities: Array<{ id: number; label: string; start_offset: number; end_offset: number; score?: number }>;
  relations: Array<{ id: number; from_id: number; to_id: number; type: string; score?: number }>;
  /** Kept by doccano as the example's metadata. */
  spert?: SpertMetadata;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string | number => typeof v === 'string' || typeof v === 'number';

/**
 * Parses doccano JSONL: relation-extraction lines (`entities` with `id`, `label`,
 * `start_offset`, `end_offset`; `relations` with `from_id`, `to_id`, `type`) and sequence-labeling
 * lines (`label: [[start, end, "TYPE"], ...]`, entities only). Problems carry the line number.
 */
export function parseDoccano(jsonl: string, o: { source: string; offsets?: OffsetUnit }): { documents: TextDocument[]; problems: AnnotationProblem[] } {
  const unit = o.offsets ?? 'code-points';
  const problems: AnnotationProblem[] = [];
  const documents: TextDocument[] = [];
  jsonl.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const report = (kind: AnnotationProblem['kind'], message: string, extra: Partial<AnnotationProblem> = {}) =>
      problems.push({ kind, source: o.source, line, message, ...extra });
    let rec: unknown;
    try {
      rec = parseJsonLimited(raw);
    } catch (e) {
      return void report('malformed', `not JSON: ${(e as Error).message}`);
    }
    if (!isRecord(rec) || typeof rec.text !== 'string') return void report('malformed', 'a line must be an object with a "text" string: skipped');
    const text = rec.text;
    const id = isId(rec.id) ? String(rec.id) : `line ${line}`;
    const map = offsetMap(text, unit);
    const entities: TextEntity[] = [];
    const relations: TextRelation[] = [];
    const span = (s: unknown, e: unknown, what: string): [number, number] | undefined => {
      const a = map.toUtf16(s as number);
      const b = map.toUtf16(e as number);
      if (a === undefined || b === undefined || b <= a) {
        report('malformed', `${what}: offsets ${JSON.stringify(s)}..${JSON.stringify(e)} are not inside the text (${map.length} characters): skipped`, { document: id });
        return undefined;
      }
      return [a, b];
    };
    if (Array.isArray(rec.entities)) {
      rec.entities.forEach((e: unknown, k) => {
        if (!isRecord(e) || typeof e.label !== 'string') return void report('malformed', `entities[${k}] needs a "label" string: skipped`, { document: id });
        const f = span(e.start_offset, e.end_offset, `entities[${k}]`);
        if (f) entities.push({ id: isId(e.id) ? String(e.id) : `entities[${k}]`, type: e.label, fragments: [f], line, ...(typeof e.score === 'number' ? { score: e.score } : {}) });
      });
    } else if (Array.isArray(rec.label)) {
      rec.label.forEach((l: unknown, k) => {
        if (!Array.isArray(l) || l.length !== 3 || typeof l[2] !== 'string') return void report('malformed', `label[${k}] must be [start, end, "TYPE"]: skipped`, { document: id });
        const f = span(l[0], l[1], `label[${k}]`);
        if (f) entities.push({ id: `label[${k}]`, type: l[2], fragments: [f], line });
      });
    }
    if (Array.isArray(rec.relations)) {
      rec.relations.forEach((r: unknown, k) => {
        if (!isRecord(r) || !isId(r.from_id) || !isId(r.to_id) || typeof r.type !== 'string') {
          return void report('malformed', `relations[${k}] needs from_id, to_id and a "type" string: skipped`, { document: id });
        }
        relations.push({ id: isId(r.id) ? `relation ${r.id}` : `relations[${k}]`, type: r.type, head: String(r.from_id), tail: String(r.to_id), line, ...(typeof r.score === 'number' ? { score: r.score } : {}) });
      });
    }
    const meta = readSpertMetadata(rec.spert, text, unit);
    if (meta.error) report('bad-recorded-words', `spert: ${meta.error}; splitWords splits the text instead`, { document: id });
    documents.push({
      id,
      source: o.source,
      line,
      text,
      entities,
      relations,
      ...meta.fields,
    });
  });
  return { documents, problems };
}

/** SpERT documents as doccano relation-extraction JSONL (scores kept on entities and relations). */
export function formatDoccano(documents: readonly ExportDocument[], o: { offsets?: OffsetUnit; source?: string } = {}): string {
  const unit = o.offsets ?? 'code-points';
  return documents
    .map((doc, d) => {
      const dt = documentText(doc, `${o.source ?? 'documents'}: document ${d}`);
      const map = offsetMap(dt.text, unit);
      const rec: DoccanoRecord = {
        id: d + 1,
        text: dt.text,
        entities: doc.entities.map((e, i) => {
          const [s, en] = entityOffsets(e, dt);
          return { id: i + 1, label: e.type, start_offset: map.fromUtf16(s), end_offset: map.fromUtf16(en), ...(e.score !== undefined ? { score: e.score } : {}) };
        }),
        relations: doc.relations.map((r, i) => ({ id: i + 1, from_id: r.head + 1, to_id: r.tail + 1, type: r.type, ...(r.score !== undefined ? { score: r.score } : {}) })),
        spert: spertMetadata(doc, dt, unit),
      };
      return `${JSON.stringify(rec)}\n`;
    })
    .join('');
}
