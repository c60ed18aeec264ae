import type { Document, Entity, Relation } from '@spert/core';
import { offsetMap } from './offsets';
import type { OffsetUnit, SpertMetadata, TextDocument } from './types';
import { SpertError } from '@spert/core';

/**
 * A SpERT document to export: gold, or predicted (entities and relations with `score`). A
 * prediction of raw text (`spert-eval predict`) carries each word's `offsets` and may carry its `text`.
 */
export interface ExportDocument extends Document {
  entities: Array<Entity & { score?: number }>;
  relations: Array<Relation & { score?: number }>;
  /** [start, end) UTF-16 offsets of each token in `text` (or in the text the offsets imply). */
  offsets?: Array<[number, number]>;
  text?: string;
}

/** A document's text and its words' [start, end) UTF-16 offsets, as exported. */
export interface DocumentText {
  text: string;
  words: Array<[number, number]>;
}

/**
 * The text an export writes for a document and where each token sits in it. Tokens are joined
 * with single spaces unless the document carries its own `offsets` (and `text`): then those are
 * used, so a prediction on raw text is exported on that raw text. Throws naming the document
 * when offsets and tokens disagree.
 */
export function documentText(doc: ExportDocument, where = 'document'): DocumentText {
  if (doc.offsets === undefined) {
    const words: Array<[number, number]> = [];
    let at = 0;
    for (const t of doc.tokens) {
      words.push([at, at + t.length]);
      at += t.length + 1;
    }
    return { text: doc.tokens.join(' '), words };
  }
  const { offsets } = doc;
  if (!Array.isArray(offsets) || offsets.length !== doc.tokens.length) {
    throw new SpertError('INVALID_DATASET', `${where}: "offsets" must hold one [start, end] pair per token (${doc.tokens.length} tokens)`);
  }
  let text = doc.text;
  if (text === undefined) {
    // No text stored: rebuild one with each token at its offset and spaces between.
    let built = '';
    offsets.forEach(([s], i) => {
      if (s < built.length) throw new SpertError('INVALID_DATASET', `${where}: offsets[${i}] starts at ${s}, before the previous token ends (${built.length})`);
      built += ' '.repeat(s - built.length) + doc.tokens[i];
    });
    text = built;
  }
  offsets.forEach(([s, e], i) => {
    if (text.slice(s, e) !== doc.tokens[i]) {
      throw new SpertError('INVALID_DATASET', `${where}: offsets[${i}] [${s}, ${e}) cover ${JSON.stringify(text.slice(s, e))}, not the token ${JSON.stringify(doc.tokens[i])}`);
    }
  });
  return { text, words: offsets.map(([s, e]) => [s, e]) };
}

/** The metadata an export records beside a text (word offsets in the format's unit, orig_id). */
export function spertMetadata(doc: ExportDocument, dt: DocumentText, unit: OffsetUnit): SpertMetadata {
  const map = offsetMap(dt.text, unit);
  return {
    words: dt.words.map(([s, e]) => [map.fromUtf16(s), map.fromUtf16(e)]),
    ...(doc.orig_id !== undefined ? { orig_id: doc.orig_id } : {}),
  };
}

/**
 * Reads recorded metadata back, tolerant: `fields` holds what a read document takes from it
 * (`words` only when they are well formed, `origId` when recorded), `error` says what was malformed.
 */
export function readSpertMetadata(raw: unknown, text: string, unit: OffsetUnit): { fields: Pick<TextDocument, 'words' | 'origId'>; error?: string } {
  const { words, origId, error } = recordedMetadata(raw, text, unit);
  return { fields: { ...(words && !error ? { words } : {}), ...(origId !== undefined ? { origId } : {}) }, ...(error ? { error } : {}) };
}

function recordedMetadata(raw: unknown, text: string, unit: OffsetUnit): { words?: Array<[number, number]>; origId?: string | number; error?: string } {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return { error: '"spert" must be an object {words, orig_id}' };
  const r = raw as Record<string, unknown>;
  const origId = typeof r.orig_id === 'string' || typeof r.orig_id === 'number' ? r.orig_id : undefined;
  if (!Array.isArray(r.words)) return { origId, error: '"spert.words" must be an array of [start, end] pairs' };
  const map = offsetMap(text, unit);
  const words: Array<[number, number]> = [];
  for (const w of r.words as unknown[]) {
    const pair = Array.isArray(w) && w.length === 2 ? [map.toUtf16(w[0] as number), map.toUtf16(w[1] as number)] : [];
    if (pair[0] === undefined || pair[1] === undefined) return { origId, error: `"spert.words" holds ${JSON.stringify(w)}, not a [start, end] pair inside the text` };
    words.push([pair[0], pair[1]]);
  }
  return { words, origId };
}

/** [start, end) UTF-16 offsets of an entity's words in the exported text. */
export function entityOffsets(e: Entity, dt: DocumentText): [number, number] {
  return [dt.words[e.start][0], dt.words[e.end - 1][1]];
}
