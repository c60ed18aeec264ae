import { documentText } from './document-text';

describe('documentText', () => {
  it('joins tokens with spaces and records each one', () => {
    expect(documentText({ tokens: ['Zoë', "'s", 'car'], entities: [], relations: [] })).toEqual({ text: "Zoë 's car", words: [[0, 3], [4, 6], [7, 10]] });
  });

  it('uses the offsets and text of a raw-text prediction, or rebuilds the text from the offsets', () => {
    const doc = { tokens: ['Mary', 'lives', 'in', 'Boston', '.'], entities: [], relations: [], offsets: [[0, 4], [5, 10], [12, 14], [15, 21], [21, 22]] as Array<[number, number]> };
    expect(documentText({ ...doc, text: 'Mary lives\n in Boston.' }).text).toBe('Mary lives\n in Boston.');
    expect(documentText(doc)).toEqual({ text: 'Mary lives  in Boston.', words: doc.offsets });
  });

  it('throws naming the document when offsets and tokens disagree', () => {
    const doc = { tokens: ['a', 'b'], entities: [], relations: [], offsets: [[0, 1], [2, 3]] as Array<[number, number]> };
    expect(() => documentText({ ...doc, text: 'a c' }, 'p.json: document 3')).toThrow('p.json: document 3: offsets[1] [2, 3) cover "c", not the token "b"');
    expect(() => documentText({ ...doc, offsets: [[0, 1]] }, 'p.json: document 3')).toThrow('p.json: document 3: "offsets" must hold one [start, end] pair per token (2 tokens)');
    expect(() => documentText({ ...doc, offsets: [[2, 3], [0, 1]] })).toThrow('document: offsets[1] starts at 0, before the previous token ends (3)');
  });
});
