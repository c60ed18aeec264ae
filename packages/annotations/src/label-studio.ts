import type { TypesSchema } from '@spert/core';
import { documentText, entityOffsets, readSpertMetadata, spertMetadata, type ExportDocument } from './document-text';
import { documentConfidence } from './confidence';
import { offsetMap } from './offsets';
import type { AnnotationProblem } from './problems';
import type { OffsetUnit, SpertMetadata, TextDocument, TextEntity, TextRelation } from './types';
import { SpertError } from '@spert/core';

/** A Label Studio `labels` region on text. */
export interface LabelStudioLabelsResult {
  id: string;
  from_name: string;
  to_name: string;
  type: 'labels';
  value: { start: number; end: number; text: string; labels: string[]; score?: number };
}

/** A Label Studio relation between two regions (`<Relations>` in the labeling config). */
export interface LabelStudioRelationResult {
  type: 'relation';
  from_id: string;
  to_id: string;
  direction: 'right' | 'left' | 'bi';
  labels: string[];
}

/** An annotation (a person's) or a prediction (a model's, with `score` and `model_version`). */
export interface LabelStudioResultSet {
  result: Array<LabelStudioLabelsResult | LabelStudioRelationResult>;
  score?: number;
  model_version?: string;
}

/** A Label Studio task in its basic JSON import format, as this package writes it. */
export interface LabelStudioTask {
  data: { text: string; spert: SpertMetadata };
  annotations?: LabelStudioResultSet[];
  predictions?: LabelStudioResultSet[];
}

/** Options of {@link toLabelStudioTasks}. */
export interface LabelStudioExportOptions {
  /**
   * 'predictions' (pre-annotations a person reviews and corrects; each region keeps its `score`)
   * or 'annotations' (finished labels). Default: predictions when the documents carry scores.
   */
  as?: 'annotations' | 'predictions';
  /** `model_version` of the predictions (Label Studio groups and filters by it). */
  modelVersion?: string;
  /** Name of the `<Labels>` control (default 'label'). */
  fromName?: string;
  /** Name of the `<Text>` object (default 'text'); the text itself is always `data.text`. */
  toName?: string;
  /** Label for error messages (the input file). */
  source?: string;
}

/**
 * SpERT documents (gold or predicted) as Label Studio tasks. Predictions become pre-annotations:
 * each entity region carries its score in `value.score`, and the prediction's `score` is
 * {@link documentConfidence}: the lowest score of the document (the least sure decision, so
 * sorting tasks by it brings the ones most worth a look first; nothing predicted scores 0).
 */
export function toLabelStudioTasks(documents: readonly ExportDocument[], options: LabelStudioExportOptions = {}): LabelStudioTask[] {
  const scored = documents.some((d) => d.entities.some((e) => e.score !== undefined) || d.relations.some((r) => r.score !== undefined));
  const as = options.as ?? (scored ? 'predictions' : 'annotations');
  const fromName = options.fromName ?? 'label';
  const toName = options.toName ?? 'text';
  return documents.map((doc, d) => {
    const dt = documentText(doc, `${options.source ?? 'documents'}: document ${d}`);
    const result: LabelStudioResultSet['result'] = doc.entities.map((e, i) => {
      const [start, end] = entityOffsets(e, dt);
      return {
        id: `d${d}e${i}`,
        from_name: fromName,
        to_name: toName,
        type: 'labels' as const,
        value: { start, end, text: dt.text.slice(start, end), labels: [e.type], ...(e.score !== undefined ? { score: e.score } : {}) },
      };
    });
    for (const r of doc.relations) {
      result.push({ type: 'relation', from_id: `d${d}e${r.head}`, to_id: `d${d}e${r.tail}`, direction: 'right', labels: [r.type] });
    }
    const task: LabelStudioTask = { data: { text: dt.text, spert: spertMetadata(doc, dt, 'utf16') } };
    if (as === 'annotations') task.annotations = [{ result }];
    else {
      task.predictions = [{ model_version: options.modelVersion ?? 'spert', score: documentConfidence(doc), result }];
    }
    return task;
  });
}

/** A labeling config for these types: `<Labels>` on a `<Text>`, and `<Relations>` between regions. */
export function labelStudioConfig(types: TypesSchema, options: { fromName?: string; toName?: string } = {}): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const toName = options.toName ?? 'text';
  return [
    '<View>',
    '  <Relations>',
    ...types.relations.map((r) => `    <Relation value="${esc(r.key)}"/>`),
    '  </Relations>',
    `  <Labels name="${esc(options.fromName ?? 'label')}" toName="${esc(toName)}">`,
    ...types.entities.map((e) => `    <Label value="${esc(e.key)}"/>`),
    '  </Labels>',
    `  <Text name="${esc(toName)}" value="$text"/>`,
    '</View>',
    '',
  ].join('\n');
}

/** Options of {@link parseLabelStudio}. */
export interface ParseLabelStudioOptions {
  /** File name for problem messages. */
  source: string;
  /** Key of the text in each task's `data` (default 'text'). */
  textField?: string;
  /** Read people's `annotations` (default) or models' `predictions`. */
  from?: 'annotations' | 'predictions';
  /**
   * Take the annotation of this annotator (`completed_by` user id, or e-mail where the export has
   * it); tasks without one are reported and skipped. Without it a task with several annotations
   * uses `pick` and is reported.
   */
  annotator?: string;
  /** With several annotations and no annotator: 'first' (default) or 'latest' (by updated/created time). */
  pick?: 'first' | 'latest';
  /** Label Studio counts UTF-16 code units (JavaScript); change only for tasks made elsewhere. */
  offsets?: OffsetUnit;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function annotatorOf(a: Record<string, unknown>): string[] {
  const c = a.completed_by;
  if (isRecord(c)) return [c.id, c.email].filter((v) => v !== undefined).map(String);
  return c === undefined ? [] : [String(c)];
}

/**
 * Parses a Label Studio JSON export (an array of tasks, or one task) of text tasks: `labels`
 * results (`value.start`/`end`/`labels`) become entities, `relation` results (`from_id`,
 * `to_id`, `labels`, `direction`) relations. Cancelled annotations are ignored; other result
 * types are reported as skipped.
 */
export function parseLabelStudio(json: unknown, o: ParseLabelStudioOptions): { documents: TextDocument[]; problems: AnnotationProblem[] } {
  const problems: AnnotationProblem[] = [];
  const documents: TextDocument[] = [];
  const textField = o.textField ?? 'text';
  const from = o.from ?? 'annotations';
  const unit = o.offsets ?? 'utf16';
  const tasks = Array.isArray(json) ? json : isRecord(json) ? [json] : undefined;
  if (!tasks) throw new SpertError('INVALID_FILE', `${o.source}: a Label Studio export is a JSON array of tasks, got ${json === null ? 'null' : typeof json}`);
  tasks.forEach((task: unknown, t) => {
    const id = isRecord(task) && (typeof task.id === 'number' || typeof task.id === 'string') ? String(task.id) : `#${t}`;
    const report = (kind: AnnotationProblem['kind'], message: string, extra: Partial<AnnotationProblem> = {}) =>
      problems.push({ kind, source: o.source, document: id, message, ...extra });
    if (!isRecord(task) || !isRecord(task.data)) return void report('malformed', `task ${t} has no "data" object: skipped`);
    const text = task.data[textField];
    if (typeof text !== 'string') {
      return void report('malformed', `data.${textField} is not a string (data keys: ${Object.keys(task.data).join(', ') || 'none'}; pick the text with textField): skipped`);
    }
    const legacy = from === 'annotations' && !Array.isArray(task.annotations) ? task.completions : undefined; // Label Studio < 1.0
    const sets = ((legacy ?? task[from] ?? []) as unknown[]).filter((a): a is Record<string, unknown> => isRecord(a) && a.was_cancelled !== true);
    let chosen: Record<string, unknown> | undefined;
    if (o.annotator !== undefined) {
      const mine = sets.filter((a) => annotatorOf(a).includes(o.annotator as string));
      chosen = mine[mine.length - 1];
      if (!chosen) {
        const who = [...new Set(sets.flatMap(annotatorOf))];
        return void report('no-annotation', `no ${from === 'annotations' ? 'annotation' : 'prediction'} by annotator ${o.annotator} (annotators here: ${who.join(', ') || 'none'}): skipped`);
      }
    } else if (sets.length > 1) {
      const time = (a: Record<string, unknown>) => Date.parse(String(a.updated_at ?? a.created_at ?? '')) || 0;
      const pick = o.pick ?? 'first';
      chosen = pick === 'latest' ? sets.reduce((best, a) => (time(a) >= time(best) ? a : best)) : sets[0];
      const who = sets.map((a) => annotatorOf(a)[0] ?? '?');
      report('several-annotations', `${sets.length} ${from} (by ${who.join(', ')}): took the ${pick} (by ${annotatorOf(chosen)[0] ?? '?'}); choose one with annotator`);
    } else {
      chosen = sets[0];
      if (!chosen) report('no-annotation', `no ${from}: converted without entities`);
    }
    const map = offsetMap(text, unit);
    const entities: TextEntity[] = [];
    const relations: TextRelation[] = [];
    const results = chosen && Array.isArray(chosen.result) ? (chosen.result as unknown[]) : [];
    results.forEach((r, k) => {
      if (!isRecord(r)) return void report('malformed', `result ${k} is not an object`);
      const rid = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : `result ${k}`;
      if (r.type === 'relation') {
        const labels = Array.isArray(r.labels) ? r.labels.filter((l): l is string => typeof l === 'string') : [];
        if (typeof r.from_id !== 'string' && typeof r.from_id !== 'number') return void report('malformed', `relation result ${k} has no from_id`);
        if (typeof r.to_id !== 'string' && typeof r.to_id !== 'number') return void report('malformed', `relation result ${k} has no to_id`);
        if (labels.length === 0) return void report('skipped-annotation', `relation ${r.from_id} -> ${r.to_id} has no label: skipped`);
        // "left" points from to_id to from_id; "bi" has no direction and is read as from -> to
        const [head, tail] = r.direction === 'left' ? [String(r.to_id), String(r.from_id)] : [String(r.from_id), String(r.to_id)];
        for (const l of labels) relations.push({ id: `relation ${k}`, type: l, head, tail });
        return;
      }
      const v = r.value;
      if (!isRecord(v) || !Array.isArray(v.labels) || typeof r.type !== 'string' || !r.type.endsWith('labels')) {
        return void report('skipped-annotation', `result of type ${JSON.stringify(r.type)} is not a span label: skipped`, { annotation: rid });
      }
      const s = map.toUtf16(v.start as number);
      const e = map.toUtf16(v.end as number);
      if (s === undefined || e === undefined || e <= s) {
        return void report('malformed', `value.start ${JSON.stringify(v.start)} / value.end ${JSON.stringify(v.end)} are not offsets inside the text (${map.length} characters) (a HyperText region?): skipped`, { annotation: rid });
      }
      const score = typeof v.score === 'number' ? v.score : undefined;
      (v.labels as unknown[]).forEach((label, j) => {
        if (typeof label !== 'string') return void report('malformed', `value.labels[${j}] is not a string`, { annotation: rid });
        entities.push({
          id: j === 0 ? rid : `${rid}#${j}`,
          type: label,
          fragments: [[s, e]],
          ...(typeof v.text === 'string' ? { text: v.text } : {}),
          ...(score !== undefined ? { score } : {}),
        });
      });
    });
    const meta = readSpertMetadata(task.data.spert, text, unit);
    if (meta.error) report('bad-recorded-words', `data.spert: ${meta.error}; splitWords splits the text instead`);
    documents.push({
      id,
      source: o.source,
      text,
      entities,
      relations,
      ...meta.fields,
    });
  });
  return { documents, problems };
}
