import { parsePredictionDocument, parsePredictionInput } from './prediction-input';

describe('parsePredictionInput', () => {
  it('accepts the reference forms and {text}', () => {
    expect(parsePredictionInput([{ tokens: ['A', 'b'], entities: [] }, ['x', 'y'], 'Raw text here.', { text: 'More.' }])).toEqual([
      { kind: 'tokens', tokens: ['A', 'b'] },
      { kind: 'tokens', tokens: ['x', 'y'] },
      { kind: 'text', text: 'Raw text here.' },
      { kind: 'text', text: 'More.' },
    ]);
  });

  it('takes empty text and empty word lists as documents that predict nothing', () => {
    expect(parsePredictionInput(['  ', { tokens: [] }, []])).toEqual([
      { kind: 'text', text: '  ' },
      { kind: 'tokens', tokens: [] },
      { kind: 'tokens', tokens: [] },
    ]);
  });

  it('names the file, the item and the field in one short line', () => {
    expect(() => parsePredictionInput({ tokens: [] })).toThrow('input: prediction input must be a JSON array of documents');
    expect(() => parsePredictionInput(['ok', 5], { source: 'in.json' })).toThrow('in.json: [1]: expected "text", {"text": "..."}, {"tokens": [...]} or [words...], got number 5');
    expect(() => parsePredictionInput([['a', 2]])).toThrow('input: [0][1]: expected a string, got number 2');
    expect(() => parsePredictionInput([{ tokens: ['a'] }, { txt: 'x' }])).toThrow('input: [1]: expected "text", {"text": "..."}, {"tokens": [...]} or [words...], got an object with keys "txt"');
    expect(() => parsePredictionInput([{ tokens: ['a', '\u200b'] }])).toThrow('input: [0].tokens[1]: a word must contain a visible character, got "\u200b"');
  });

  it('parsePredictionDocument names the service field path', () => {
    expect(() => parsePredictionDocument({ text: 42 }, 'documents[3]')).toThrow(/^documents\[3\]\.text: expected a string, got number 42$/);
    expect(() => parsePredictionDocument({ text: 'a', tokens: ['a'] }, 'documents[0]')).toThrow('documents[0]: give either "text" or "tokens", not both');
  });
});
