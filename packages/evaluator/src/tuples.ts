import type { Document, EntityType, RelationType, TypesSchema } from '@spert/core';
import { SpertError } from '@spert/core';

/** An entity as the evaluator compares it: span (word indices, end exclusive) and type. */
export interface EntityTuple {
  start: number;
  end: number;
  type: EntityType;
}

/** A relation as the evaluator compares it: both argument tuples and the relation type. */
export interface RelationTuple {
  head: EntityTuple;
  tail: EntityTuple;
  type: RelationType;
}

/** Stable identity of an entity tuple (span and type key). */
export function entityKey(e: EntityTuple): string {
  return `${e.start},${e.end},${e.type.key}`;
}

/** Stable identity of a relation tuple. */
export function relationKey(r: RelationTuple): string {
  return `${entityKey(r.head)}|${entityKey(r.tail)}|${r.type.key}`;
}

/** The reference's `_check_overlap`: equal tuples do not overlap; touching spans do not. */
export function entitiesOverlap(a: EntityTuple, b: EntityTuple): boolean {
  if (entityKey(a) === entityKey(b) || a.end <= b.start || b.end <= a.start) return false;
  return true;
}

/**
 * The reference's `_remove_overlapping`: drop every entity overlapping another one of the same
 * list, and relations whose two arguments overlap each other. Relations are tuples carrying
 * their own spans, so a relation whose argument was dropped from the entity list stays.
 */
export function removeOverlapping(entities: EntityTuple[], relations: RelationTuple[]): { entities: EntityTuple[]; relations: RelationTuple[] } {
  return {
    entities: entities.filter((e) => !entities.some((o) => entitiesOverlap(e, o))),
    relations: relations.filter((r) => !entitiesOverlap(r.head, r.tail)),
  };
}

/** Converts a document's entities and relations to evaluation tuples (symmetric relations canonicalized). */
export function documentTuples(
  doc: Document,
  types: TypesSchema,
  where: string,
): { entities: EntityTuple[]; relations: RelationTuple[] } {
  const ent = new Map(types.entities.map((t) => [t.key, t]));
  const rel = new Map(types.relations.map((t) => [t.key, t]));
  const entities = doc.entities.map((e, i): EntityTuple => {
    const type = ent.get(e.type);
    if (!type) throw new SpertError('INVALID_DATASET', `${where}, entities[${i}].type: unknown entity type "${e.type}" (known: ${[...ent.keys()].join(', ')})`);
    return { start: e.start, end: e.end, type };
  });
  const relations = doc.relations.map((r, i): RelationTuple => {
    const type = rel.get(r.type);
    if (!type) throw new SpertError('INVALID_DATASET', `${where}, relations[${i}].type: unknown relation type "${r.type}" (known: ${[...rel.keys()].join(', ')})`);
    let head = entities[r.head];
    let tail = entities[r.tail];
    if (!head) throw new SpertError('INVALID_DATASET', `${where}, relations[${i}].head: ${r.head} out of range (${entities.length} entities)`);
    if (!tail) throw new SpertError('INVALID_DATASET', `${where}, relations[${i}].tail: ${r.tail} out of range (${entities.length} entities)`);
    // symmetric types: the earlier-starting argument is the head, on gold and predictions alike
    if (type.symmetric && tail.start < head.start) [head, tail] = [tail, head];
    return { head, tail, type };
  });
  return { entities, relations };
}
