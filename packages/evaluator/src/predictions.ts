import type { Document, Entity, FileSystem, Relation } from '@spert/core';
import { writeFileAtomic, SpertError } from '@spert/core';

type WithScore<T> = T & { score?: number };

/**
 * Puts predictions in the reference's output order: entities sorted by start (stable),
 * relation head/tail remapped to that order, relations sorted by head (stable). Scores kept.
 */
export function toPredictionDocuments(documents: Document[]): Document[] {
  return documents.map((doc, d) => {
    const order = doc.entities.map((_, i) => i).sort((a, b) => doc.entities[a].start - doc.entities[b].start || a - b);
    const newIndex = new Map(order.map((old, i) => [old, i]));
    const entities = order.map((i): WithScore<Entity> => {
      const e = doc.entities[i] as WithScore<Entity>;
      return { type: e.type, start: e.start, end: e.end, ...(e.score !== undefined ? { score: e.score } : {}) };
    });
    const relations = doc.relations
      .map((r0, i): WithScore<Relation> => {
        const r = r0 as WithScore<Relation>;
        const head = newIndex.get(r.head);
        const tail = newIndex.get(r.tail);
        if (head === undefined || tail === undefined) {
          throw new SpertError('INVALID_INPUT', `document ${d}, relations[${i}]: argument ${head === undefined ? r.head : r.tail} is not an entity index`);
        }
        return { type: r.type, head, tail, ...(r.score !== undefined ? { score: r.score } : {}) };
      })
      .map((r, i) => ({ r, i }))
      .sort((a, b) => a.r.head - b.r.head || a.i - b.i)
      .map(({ r }) => r);
    return { tokens: doc.tokens, entities, relations };
  });
}

/** Writes predictions (dataset schema plus scores) atomically, in the reference's order. */
export async function writePredictions(params: { path: string; documents: Document[]; fs?: FileSystem }): Promise<void> {
  await writeFileAtomic({ path: params.path, data: JSON.stringify(toPredictionDocuments(params.documents)), fs: params.fs });
}
