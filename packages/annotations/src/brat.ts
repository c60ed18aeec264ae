import type { TypesSchema } from '@spert/core';
import { documentText, entityOffsets, readSpertMetadata, spertMetadata, type ExportDocument } from './document-text';
import { offsetMap } from './offsets';
import type { AnnotationProblem } from './problems';
import type { OffsetUnit, SpertMetadata, TextDocument, TextEntity, TextRelation } from './types';

/** Options of {@link parseBrat}. */
export interface ParseBratOptions {
  /** The `.txt` text. */
  text: string;
  /** The `.ann` standoff lines. */
  ann: string;
  /** Document id (the file stem). */
  id: string;
  /** Name of the `.ann` file, for problem messages. */
  source: string;
  /** brat counts code points (Python); 'utf16' for files written by JavaScript tools. */
  offsets?: OffsetUnit;
  /** Parsed `<stem>.spert.json` written by {@link formatBrat}, if present. */
  metadata?: unknown;
}

const SKIPPED: Record<string, string> = {
  E: 'an event',
  A: 'an attribute',
  M: 'an attribute (modification)',
  N: 'a normalization',
  '#': 'a note',
  '*': 'an equivalence',
};

/**
 * Parses one brat standoff document: `T` entities (several `;`-separated fragments make a
 * discontinuous one) and `R` relations (first argument = head); `E`, `A`, `M`, `N`, `#` and `*`
 * lines are reported as skipped, anything else as malformed, each with its line number.
 */
export function parseBrat(o: ParseBratOptions): { document: TextDocument; problems: AnnotationProblem[] } {
  const unit = o.offsets ?? 'code-points';
  const map = offsetMap(o.text, unit);
  const problems: AnnotationProblem[] = [];
  const entities: TextEntity[] = [];
  const relations: TextRelation[] = [];
  const report = (kind: AnnotationProblem['kind'], line: number, message: string, extra: Partial<AnnotationProblem> = {}) =>
    problems.push({ kind, source: o.source, line, document: o.id, message, ...extra });
  o.ann.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const [id, body = '', ...rest] = raw.split('\t');
    const tag = id.charAt(0);
    if (tag === 'T') {
      const m = /^(\S+) (\d+ \d+(?:;\d+ \d+)*)$/.exec(body);
      if (!m) return void report('malformed', line, `expected "T<n>\\t<type> <start> <end>[;<start> <end>]\\t<text>", got ${JSON.stringify(raw)}`, { annotation: id });
      const fragments: Array<[number, number]> = [];
      for (const f of m[2].split(';')) {
        const [a, b] = f.split(' ').map(Number);
        const s = map.toUtf16(a);
        const e = map.toUtf16(b);
        if (s === undefined || e === undefined || e <= s) {
          return void report('malformed', line, `offsets ${a} ${b} are empty or outside the text (${map.length} characters)`, { annotation: id });
        }
        fragments.push([s, e]);
      }
      fragments.sort((x, y) => x[0] - y[0]);
      entities.push({ id, type: m[1], fragments, line, ...(rest.length ? { text: rest.join('\t') } : {}) });
    } else if (tag === 'R') {
      const m = /^(\S+) (\S+):(\S+) (\S+):(\S+)$/.exec(body);
      if (!m) return void report('malformed', line, `expected "R<n>\\t<type> Arg1:<T> Arg2:<T>", got ${JSON.stringify(raw)}`, { annotation: id });
      relations.push({ id, type: m[1], head: m[3], tail: m[5], line });
    } else if (SKIPPED[tag]) {
      report('skipped-annotation', line, `${SKIPPED[tag]} line: SpERT has no place for it, skipped`, { annotation: id, text: raw });
    } else {
      report('malformed', line, `unknown standoff line (expected T, R, E, A, M, N, # or *): ${JSON.stringify(raw)}`);
    }
  });
  const meta = readSpertMetadata(o.metadata, o.text, unit);
  if (meta.error) problems.push({ kind: 'bad-recorded-words', source: `${o.id}.spert.json`, document: o.id, message: `${meta.error}; splitWords splits the text instead` });
  return {
    document: {
      id: o.id,
      source: o.source,
      text: o.text,
      entities,
      relations,
      ...meta.fields,
    },
    problems,
  };
}

/** One exported brat document: `.txt`, `.ann` and the `.spert.json` metadata beside them. */
export interface BratFiles {
  txt: string;
  ann: string;
  metadata: SpertMetadata;
}

/**
 * Formats a SpERT document (gold or predicted) as brat standoff. Scores have no place in
 * standoff and are written as `#` notes (`#1\tAnnotatorNotes T1\tscore 0.93`), which brat shows.
 */
export function formatBrat(doc: ExportDocument, options: { where?: string; offsets?: OffsetUnit } = {}): BratFiles {
  const unit = options.offsets ?? 'code-points';
  const dt = documentText(doc, options.where);
  const map = offsetMap(dt.text, unit);
  const lines: string[] = [];
  const notes: string[] = [];
  doc.entities.forEach((e, i) => {
    const [s, en] = entityOffsets(e, dt);
    lines.push(`T${i + 1}\t${e.type} ${map.fromUtf16(s)} ${map.fromUtf16(en)}\t${dt.text.slice(s, en)}`);
    if (e.score !== undefined) notes.push(`T${i + 1}\tscore ${e.score}`);
  });
  doc.relations.forEach((r, i) => {
    lines.push(`R${i + 1}\t${r.type} Arg1:T${r.head + 1} Arg2:T${r.tail + 1}`);
    if (r.score !== undefined) notes.push(`R${i + 1}\tscore ${r.score}`);
  });
  notes.forEach((n, i) => lines.push(`#${i + 1}\tAnnotatorNotes ${n}`));
  return { txt: `${dt.text}\n`, ann: lines.length ? `${lines.join('\n')}\n` : '', metadata: spertMetadata(doc, dt, unit) };
}

/**
 * brat's `annotation.conf` for a types schema: every entity type, and every relation between any
 * two entities (`<ENTITY>`), symmetric ones flagged so brat draws them without direction.
 */
export function bratAnnotationConf(types: TypesSchema): string {
  const rel = types.relations.map((r) => `${r.key}\tArg1:<ENTITY>, Arg2:<ENTITY>${r.symmetric ? ', <REL-TYPE>:symmetric' : ''}`);
  return ['[entities]', ...types.entities.map((e) => e.key), '', '[relations]', ...rel, '', '[events]', '', '[attributes]', ''].join('\n');
}
