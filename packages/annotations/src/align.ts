import type { Document, Entity, Relation, TypesSchema } from '@spert/core';
import { splitWords, type SplitWordsOptions } from '@spert/tokenizer';
import { countProblems, type AnnotationProblem, type ConversionSummary, type ProblemKind } from './problems';
import { sentenceRanges, type SentenceMode } from './sentences';
import type { TextDocument, TextEntity } from './types';

/** Options of {@link alignDocuments}: how character annotations become word annotations. */
export interface AlignOptions {
  /**
   * An entity boundary inside a word: 'report' (default) leaves the entity out, 'snap' widens it
   * to the whole word. Both report it, with the text in question.
   */
  boundaries?: 'report' | 'snap';
  /** A discontinuous brat entity: 'skip' (default) leaves it out, 'join' covers first to last fragment. Both report it. */
  discontinuous?: 'skip' | 'join';
  /** Keep each text whole (default) or make one SpERT document per sentence or per line. */
  sentences?: SentenceMode;
  /**
   * Types the output must use: their order (the class indices) and symmetric flags are kept and
   * labels outside them are reported and left out. Without it the types come from the labels seen.
   */
  schema?: TypesSchema;
  /** Options for `splitWords` (locale for CJK/Thai, abbreviations, contractions). */
  splitOptions?: SplitWordsOptions;
}

/** What a conversion to SpERT returns. */
export interface ConversionResult {
  documents: Document[];
  /** The schema passed in, or one built from the labels in first-seen order. */
  types: TypesSchema;
  /** Every problem, reading and aligning, in input order. */
  problems: AnnotationProblem[];
  summary: ConversionSummary;
}

type Span = { ws: number; we: number; type: string; score?: number };

function recordedWordsProblem(words: ReadonlyArray<readonly [number, number]>, text: string): string | undefined {
  let prev = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!Array.isArray(w) || w.length !== 2 || !Number.isInteger(w[0]) || !Number.isInteger(w[1])) return `word ${i} is not a [start, end] pair of integers`;
    const [s, e] = w;
    if (s < prev || e <= s || e > text.length) return `word ${i} [${s}, ${e}) is out of order, empty or past the text (${text.length} characters)`;
    if (/^\s|\s$/u.test(text.slice(s, e))) return `word ${i} [${s}, ${e}) starts or ends with a space: the text was changed after export`;
    prev = e;
  }
  return undefined;
}

/** First index in `words` whose end is past `offset` (binary search; words are sorted). */
function firstWordEndingAfter(words: ReadonlyArray<readonly [number, number]>, offset: number): number {
  let lo = 0;
  let hi = words.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (words[mid][1] > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Turns documents with character offsets into SpERT documents with word indices, using the
 * project's one word splitter (`splitWords`) or the word offsets an export recorded. Overlapping
 * and nested entities are kept; everything that cannot be carried over as it was is reported.
 */
export function alignDocuments(params: { documents: readonly TextDocument[]; problems?: readonly AnnotationProblem[] } & AlignOptions): ConversionResult {
  const problems: AnnotationProblem[] = [...(params.problems ?? [])];
  const boundaries = params.boundaries ?? 'report';
  const schema = params.schema;
  const entityKeys = schema ? new Set(schema.entities.map((t) => t.key)) : undefined;
  const relationKeys = schema ? new Set(schema.relations.map((t) => t.key)) : undefined;
  const seenEntityTypes: string[] = [];
  const seenRelationTypes: string[] = [];
  const out: Document[] = [];
  let inputDocuments = 0;

  for (const doc of params.documents) {
    const { text } = doc;
    const report = (kind: ProblemKind, message: string, at: { line?: number; annotation?: string; text?: string } = {}): void => {
      const line = at.line ?? doc.line;
      problems.push({
        kind,
        source: doc.source,
        ...(line !== undefined ? { line } : {}),
        document: doc.id,
        ...(at.annotation !== undefined ? { annotation: at.annotation } : {}),
        ...(at.text !== undefined ? { text: at.text } : {}),
        message,
      });
    };
    let words: ReadonlyArray<readonly [number, number]> | undefined;
    if (doc.words) {
      const bad = recordedWordsProblem(doc.words, text);
      if (bad) report('bad-recorded-words', `recorded word offsets do not fit the text (${bad}); splitWords splits the text instead`);
      else words = doc.words;
    }
    words ??= splitWords(text, params.splitOptions).map((w) => [w.start, w.end] as const);
    if (words.length === 0) {
      report('empty-document', 'the text has no word: document skipped');
      continue;
    }
    inputDocuments++;
    const wordText = (a: number, b: number) => text.slice(words[a][0], words[b - 1][1]);

    // Entities, in input order; `byId` maps a tool id to its index in `spans` (duplicates share one).
    const spans: Span[] = [];
    const byId = new Map<string, number>();
    const left = new Map<string, string>(); // id -> why it was left out, for relation messages
    const byKey = new Map<string, number>();
    const entityAt = (e: TextEntity) => ({ line: e.line, annotation: e.id });
    for (const e of doc.entities) {
      const at = entityAt(e);
      const leave = (kind: ProblemKind, message: string, shown?: string): void => {
        report(kind, message, { ...at, text: shown });
        left.set(e.id, kind);
      };
      if (entityKeys && !entityKeys.has(e.type)) {
        leave('unknown-type', `entity type "${e.type}" is not in the schema (known: ${[...entityKeys].join(', ')}): left out`);
        continue;
      }
      const frags = e.fragments;
      const bad = frags.find(([s, en]) => !(Number.isInteger(s) && Number.isInteger(en) && s >= 0 && en > s && en <= text.length));
      if (frags.length === 0 || bad) {
        leave('malformed', `offsets ${JSON.stringify(bad ?? frags)} are empty or outside the text (${text.length} characters): left out`);
        continue;
      }
      const covered = frags.map(([s, en]) => text.slice(s, en)).join(' ');
      if (e.text !== undefined && e.text !== covered && e.text.replace(/\s+/gu, ' ') !== covered.replace(/\s+/gu, ' ')) {
        leave('text-mismatch', `the tool stored ${JSON.stringify(e.text)} but the offsets cover ${JSON.stringify(covered)} (wrong offset unit or an edited text?): left out`, e.text);
        continue;
      }
      let s = frags[0][0];
      let en = frags[frags.length - 1][1];
      if (frags.length > 1) {
        if ((params.discontinuous ?? 'skip') === 'skip') {
          leave('discontinuous-entity', `${frags.length} fragments; SpERT entities are contiguous word spans: left out (discontinuous: 'join' covers first to last fragment)`, covered);
          continue;
        }
        report('discontinuous-entity', `${frags.length} fragments joined into one span from the first to the last`, { ...at, text: text.slice(s, en) });
      }
      const w0 = firstWordEndingAfter(words, s);
      let w1 = firstWordEndingAfter(words, en - 1); // the word holding the last character, or the next one
      if (w1 >= words.length || words[w1][0] >= en) w1--;
      if (w0 >= words.length || w1 < w0) {
        leave('no-words', `offsets [${s}, ${en}) cover no word: left out`, text.slice(s, en));
        continue;
      }
      const startInside = words[w0][0] < s;
      const endInside = words[w1][1] > en;
      if (startInside || endInside) {
        const shown = text.slice(s, en);
        const whole = wordText(w0, w1 + 1);
        const which = startInside && endInside ? 'start and end fall' : startInside ? 'start falls' : 'end falls';
        if (boundaries === 'report') {
          leave('boundary-inside-word', `its ${which} inside a word (the words are ${JSON.stringify(whole)}): left out (boundaries: 'snap' widens it)`, shown);
          continue;
        }
        report('snapped-to-word', `its ${which} inside a word: widened to ${JSON.stringify(whole)}`, { ...at, text: shown });
        s = words[w0][0];
        en = words[w1][1];
      }
      const key = `${e.type}\u0000${w0}\u0000${w1}`;
      const dup = byKey.get(key);
      if (dup !== undefined) {
        report('duplicate-entity', `same words and type as an earlier entity: kept once`, { ...at, text: wordText(w0, w1 + 1) });
        byId.set(e.id, dup);
        continue;
      }
      byKey.set(key, spans.length);
      byId.set(e.id, spans.length);
      spans.push({ ws: w0, we: w1 + 1, type: e.type, ...(e.score !== undefined ? { score: e.score } : {}) });
      if (!seenEntityTypes.includes(e.type)) seenEntityTypes.push(e.type);
    }

    // Sentences; an entity that crosses a boundary joins the sentences it touches.
    let ranges = sentenceRanges(text, words, params.sentences ?? 'document');
    if (ranges.length > 1) {
      const starts = new Set(ranges.slice(1).map(([a]) => a));
      for (const sp of spans) {
        for (let b = sp.ws + 1; b < sp.we; b++) {
          if (starts.delete(b)) report('sentences-joined', `an entity crosses a sentence boundary: the sentences around it stay one document`, { text: wordText(sp.ws, sp.we) });
        }
      }
      const cuts = [0, ...[...starts].sort((a, b) => a - b), words.length];
      ranges = cuts.slice(0, -1).map((a, i) => [a, cuts[i + 1]]);
    }
    const sentenceOf = new Array<number>(words.length);
    ranges.forEach(([a, b], k) => {
      for (let w = a; w < b; w++) sentenceOf[w] = k;
    });

    const rels: Array<Relation & { score?: number; sentence: number }> = [];
    const relKeys = new Set<string>();
    for (const r of doc.relations) {
      const at = { line: r.line, annotation: r.id };
      if (relationKeys && !relationKeys.has(r.type)) {
        report('unknown-type', `relation type "${r.type}" is not in the schema (known: ${[...relationKeys].join(', ')}): left out`, at);
        continue;
      }
      const h = byId.get(r.head);
      const t = byId.get(r.tail);
      if (h === undefined || t === undefined) {
        const missing = h === undefined ? r.head : r.tail;
        const why = left.get(missing);
        report('dangling-relation', `its ${h === undefined ? 'head' : 'tail'} ${missing} ${why ? `was left out (${why})` : 'is not an entity of this document'}: left out`, at);
        continue;
      }
      const hs = spans[h];
      const ts = spans[t];
      if (sentenceOf[hs.ws] !== sentenceOf[ts.ws]) {
        report('cross-sentence-relation', `${r.type} from ${JSON.stringify(wordText(hs.ws, hs.we))} to ${JSON.stringify(wordText(ts.ws, ts.we))} crosses sentences: left out (keep sentences: 'document' to keep it)`, at);
        continue;
      }
      const key = `${r.type}\u0000${h}\u0000${t}`;
      if (relKeys.has(key)) {
        report('duplicate-relation', `same type, head and tail as an earlier relation: kept once`, at);
        continue;
      }
      relKeys.add(key);
      rels.push({ type: r.type, head: h, tail: t, sentence: sentenceOf[hs.ws], ...(r.score !== undefined ? { score: r.score } : {}) });
      if (!seenRelationTypes.includes(r.type)) seenRelationTypes.push(r.type);
    }

    const base = doc.origId ?? doc.id;
    ranges.forEach(([a, b], k) => {
      const local = new Map<number, number>();
      const entities: Entity[] = [];
      spans.forEach((sp, i) => {
        if (sentenceOf[sp.ws] !== k) return;
        local.set(i, entities.length);
        entities.push({ type: sp.type, start: sp.ws - a, end: sp.we - a, ...(sp.score !== undefined ? { score: sp.score } : {}) });
      });
      const relations: Relation[] = rels
        .filter((r) => r.sentence === k)
        .map((r) => ({ type: r.type, head: local.get(r.head) as number, tail: local.get(r.tail) as number, ...(r.score !== undefined ? { score: r.score } : {}) }));
      const tokens: string[] = [];
      for (let w = a; w < b; w++) tokens.push(text.slice(words[w][0], words[w][1]));
      out.push({ tokens, entities, relations, orig_id: ranges.length === 1 ? base : `${base}#${k + 1}` });
    });
  }

  const types: TypesSchema = schema ?? {
    entities: seenEntityTypes.map((key, i) => ({ key, index: i + 1, short: key, verbose: key })),
    relations: seenRelationTypes.map((key, i) => ({ key, index: i + 1, short: key, verbose: key, symmetric: false })),
  };
  return {
    documents: out,
    types,
    problems,
    summary: {
      inputDocuments,
      documents: out.length,
      entities: out.reduce((n, d) => n + d.entities.length, 0),
      relations: out.reduce((n, d) => n + d.relations.length, 0),
      problems: countProblems(problems),
    },
  };
}
