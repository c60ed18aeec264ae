import type { Document } from './types';

describe('types', () => {
  it('describes a SpERT document', () => {
    const doc: Document = { tokens: ['a', 'b'], entities: [{ type: 'X', start: 0, end: 1 }], relations: [] };
    expect(doc.entities[0].end - doc.entities[0].start).toBe(1);
  });
});
