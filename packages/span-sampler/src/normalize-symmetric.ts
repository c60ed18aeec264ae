import type { Document, TypesSchema } from '@spert/core';
import { SpertError } from '@spert/core';

/**
 * Returns the document with every symmetric relation oriented so that its head is the entity
 * whose first word comes first (the reference does this when it reads a dataset). Idempotent.
 */
export function normalizeSymmetricRelations(document: Document, types: TypesSchema, documentIndex?: number): Document {
  const where = documentIndex === undefined ? 'document' : `document ${documentIndex}`;
  const symmetric = new Map(types.relations.map((r) => [r.key, r.symmetric]));
  const relations = document.relations.map((rel, k) => {
    if (!symmetric.has(rel.type)) {
      throw new SpertError('INVALID_DATASET', `${where}, relations[${k}].type: unknown relation type "${rel.type}"`);
    }
    const head = document.entities[rel.head];
    const tail = document.entities[rel.tail];
    if (!head || !tail) {
      throw new SpertError('INVALID_DATASET',
        `${where}, relations[${k}]: head ${rel.head} / tail ${rel.tail} must index its ${document.entities.length} entities`,
      );
    }
    return symmetric.get(rel.type) && tail.start < head.start ? { ...rel, head: rel.tail, tail: rel.head } : rel;
  });
  return { ...document, relations };
}
