import { parsePredictionInput } from './prediction-input';

describe('parsePredictionInput', () => {
  it('accepts the three forms of the reference', () => {
    expect(parsePredictionInput([{ tokens: ['A', 'b'], entities: [] }, ['x', 'y'], 'Raw text here.'])).toEqual([
      { kind: 'tokens', tokens: ['A', 'b'] },
      { kind: 'tokens', tokens: ['x', 'y'] },
      { kind: 'text', text: 'Raw text here.' },
    ]);
  });

  it('names the item index in errors', () => {
    expect(() => parsePredictionInput({ tokens: [] })).toThrow('input: prediction input must be a JSON array');
    expect(() => parsePredictionInput(['ok', 5], { source: 'in.json' })).toThrow('in.json: item 1: expected {tokens: [...]}, an array of words or a string, got 5');
    expect(() => parsePredictionInput([['a', 2]])).toThrow('input: item 0[1]: a word must be a string, got 2');
    expect(() => parsePredictionInput([{ tokens: ['a'] }, { text: 'x' }])).toThrow('input: item 1.tokens: must be an array of words, got nothing');
    expect(() => parsePredictionInput([{ tokens: [] }])).toThrow('input: item 0.tokens: the list of words is empty');
    expect(() => parsePredictionInput(['  '])).toThrow('input: item 0: the text is empty');
  });
});
