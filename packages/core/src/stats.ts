import type { Document } from './types';

/** Counts that describe a dataset (the ones its SOURCE.md and the reference's supports quote). */
export interface DatasetStats {
  documents: number;
  entities: number;
  relations: number;
  /** Entity mentions per type key, in order of first appearance. */
  entityTypes: Record<string, number>;
  /** Relations per type key, in order of first appearance. */
  relationTypes: Record<string, number>;
  /** Number of words of the longest document, and its index. */
  longestDocument: { tokens: number; index: number };
  /** Entities longer than `maxSpanSize` words (SpERT cannot predict them). */
  entitiesLongerThanMaxSpan: number;
  maxSpanSize: number;
  /** Pairs of entities of one document whose spans overlap (not counting identical mentions). */
  overlappingEntityPairs: number;
}

/** Computes document, mention, relation and per-type counts (duplicates counted as they occur). */
export function datasetStats(documents: Document[], options: { maxSpanSize?: number } = {}): DatasetStats {
  const maxSpanSize = options.maxSpanSize ?? 10;
  const stats: DatasetStats = {
    documents: documents.length,
    entities: 0,
    relations: 0,
    entityTypes: {},
    relationTypes: {},
    longestDocument: { tokens: 0, index: -1 },
    entitiesLongerThanMaxSpan: 0,
    maxSpanSize,
    overlappingEntityPairs: 0,
  };
  documents.forEach((doc, i) => {
    stats.entities += doc.entities.length;
    stats.relations += doc.relations.length;
    for (const e of doc.entities) {
      stats.entityTypes[e.type] = (stats.entityTypes[e.type] ?? 0) + 1;
      if (e.end - e.start > maxSpanSize) stats.entitiesLongerThanMaxSpan += 1;
    }
    doc.entities.forEach((a, j) => {
      for (const b of doc.entities.slice(j + 1)) {
        const same = a.start === b.start && a.end === b.end && a.type === b.type;
        if (!same && a.start < b.end && b.start < a.end) stats.overlappingEntityPairs += 1;
      }
    });
    for (const r of doc.relations) stats.relationTypes[r.type] = (stats.relationTypes[r.type] ?? 0) + 1;
    if (doc.tokens.length > stats.longestDocument.tokens) stats.longestDocument = { tokens: doc.tokens.length, index: i };
  });
  return stats;
}

/** Renders stats as a short human-readable block. */
export function formatDatasetStats(stats: DatasetStats, label = 'dataset'): string {
  const types = (r: Record<string, number>): string =>
    Object.entries(r)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ') || '-';
  return [
    `${label}: ${stats.documents} documents, ${stats.entities} entity mentions, ${stats.relations} relations`,
    `  entity types:   ${types(stats.entityTypes)}`,
    `  relation types: ${types(stats.relationTypes)}`,
    `  longest document: ${stats.longestDocument.tokens} words (document ${stats.longestDocument.index})`,
    `  entities longer than ${stats.maxSpanSize} words: ${stats.entitiesLongerThanMaxSpan}`,
    `  overlapping entity pairs: ${stats.overlappingEntityPairs}`,
  ].join('\n');
}
