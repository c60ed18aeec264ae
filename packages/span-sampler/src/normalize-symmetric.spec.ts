import type { Document, TypesSchema } from '@spert/core';
import { normalizeSymmetricRelations } from './normalize-symmetric';

const types: TypesSchema = {
  entities: [{ key: 'Task', index: 1, short: 'Task', verbose: 'Task' }],
  relations: [
    { key: 'Used-for', index: 1, short: 'Used', verbose: 'Used for', symmetric: false },
    { key: 'Compare', index: 2, short: 'Comp', verbose: 'Compare', symmetric: true },
  ],
};
const doc: Document = {
  tokens: ['a', 'b', 'c', 'd'],
  entities: [
    { type: 'Task', start: 2, end: 4 },
    { type: 'Task', start: 0, end: 1 },
  ],
  relations: [
    { type: 'Compare', head: 0, tail: 1 },
    { type: 'Used-for', head: 0, tail: 1 },
    { type: 'Compare', head: 1, tail: 0 },
  ],
};

describe('normalizeSymmetricRelations', () => {
  it('makes the entity that starts first the head of symmetric relations only', () => {
    const out = normalizeSymmetricRelations(doc, types);
    expect(out.relations).toEqual([
      { type: 'Compare', head: 1, tail: 0 },
      { type: 'Used-for', head: 0, tail: 1 },
      { type: 'Compare', head: 1, tail: 0 },
    ]);
    expect(doc.relations[0]).toEqual({ type: 'Compare', head: 0, tail: 1 });
  });
  it('is idempotent', () => {
    const once = normalizeSymmetricRelations(doc, types);
    expect(normalizeSymmetricRelations(once, types)).toEqual(once);
  });
  it('names the document and relation on bad input', () => {
    expect(() => normalizeSymmetricRelations({ ...doc, relations: [{ type: 'Compare', head: 0, tail: 2 }] }, types, 3)).toThrow(
      /document 3, relations\[0\]: head 0 \/ tail 2/,
    );
  });
});
