import type { Document, TypesSchema } from './types';
import type { RelationTriple } from './model-settings';

/**
 * The (head entity type, relation type, tail entity type) triples that occur in gold documents,
 * sorted: the table of the relation_type_constraints switch. Relations pointing outside their
 * document's entities are an error naming the document.
 */
export function collectRelationTriples(documents: readonly Document[], types: TypesSchema, source = 'training set'): RelationTriple[] {
  const entityKeys = new Set(types.entities.map((e) => e.key));
  const relationKeys = new Set(types.relations.map((r) => r.key));
  const seen = new Map<string, RelationTriple>();
  documents.forEach((doc, d) => {
    doc.relations.forEach((rel, k) => {
      const head = doc.entities[rel.head];
      const tail = doc.entities[rel.tail];
      if (!head || !tail) throw new Error(`${source}: document ${d}, relations[${k}] points at entity ${head ? rel.tail : rel.head}, outside its ${doc.entities.length} entities`);
      for (const [key, known, what] of [[head.type, entityKeys, 'entity'], [rel.type, relationKeys, 'relation'], [tail.type, entityKeys, 'entity']] as const) {
        if (!known.has(key)) throw new Error(`${source}: document ${d}, relations[${k}]: unknown ${what} type "${key}"`);
      }
      const triple: RelationTriple = [head.type, rel.type, tail.type];
      seen.set(triple.join('\u0000'), triple);
    });
  });
  return [...seen.values()].sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000')));
}

/** Class-index lookups over a triple table, for decoding and negative sampling. */
export interface TripleFilter {
  /** Whether (head entity type, relation type, tail entity type), as class indices (entities 1..E, relations 1..R), occurred. */
  allows(head: number, relation: number, tail: number): boolean;
  /** Whether any relation type occurred from an entity of type `head` to one of type `tail` (class indices). */
  allowsPair(head: number, tail: number): boolean;
}

/** Index-based lookups over `triples` (type keys) for the given types schema. */
export function createTripleFilter(triples: readonly RelationTriple[], types: TypesSchema): TripleFilter {
  const entity = new Map(types.entities.map((e) => [e.key, e.index]));
  const relation = new Map(types.relations.map((r) => [r.key, r.index]));
  const full = new Set<string>();
  const pairs = new Set<string>();
  triples.forEach(([h, r, t], i) => {
    const hi = entity.get(h);
    const ri = relation.get(r);
    const ti = entity.get(t);
    if (hi === undefined || ri === undefined || ti === undefined) throw new Error(`relation triple ${i} ${JSON.stringify([h, r, t])} names a type the types schema does not have`);
    full.add(`${hi},${ri},${ti}`);
    pairs.add(`${hi},${ti}`);
  });
  return {
    allows: (head, rel, tail) => full.has(`${head},${rel},${tail}`),
    allowsPair: (head, tail) => pairs.has(`${head},${tail}`),
  };
}
