import { formatFromPath, parseLine } from './parse-line';

describe('parseLine', () => {
  it('reads {"id", "text"} and {"id", "tokens"}; without an id the line number is the id', () => {
    expect(parseLine('{"id": "a7", "text": "Ann met Bob"}', 3, 'jsonl', 'in.jsonl')).toEqual({ line: 3, id: 'a7', input: { kind: 'text', text: 'Ann met Bob' } });
    expect(parseLine('{"id": 12, "tokens": ["Ann", "left"]}', 4, 'jsonl', 'in.jsonl')).toEqual({ line: 4, id: 12, input: { kind: 'tokens', tokens: ['Ann', 'left'] } });
    expect(parseLine('{"text": "x"}', 5, 'jsonl', 'in.jsonl')).toEqual({ line: 5, id: 5, input: { kind: 'text', text: 'x' } });
    expect(parseLine('"raw text"', 6, 'jsonl', 'in.jsonl')).toEqual({ line: 6, id: 6, input: { kind: 'text', text: 'raw text' } });
  });

  it('plain text: each line is a document; blank lines are none', () => {
    expect(parseLine('{"not": "json here"}', 2, 'text', 'in.txt')).toEqual({ line: 2, id: 2, input: { kind: 'text', text: '{"not": "json here"}' } });
    expect(parseLine('   ', 3, 'text', 'in.txt')).toBeUndefined();
    expect(parseLine('', 3, 'jsonl', 'in.jsonl')).toBeUndefined();
  });

  it('names file, line and field of a bad line, with the core validator\'s messages', () => {
    expect(parseLine('{"text": ', 7, 'jsonl', 'in.jsonl')).toMatchObject({ line: 7, reason: expect.stringMatching(/^in\.jsonl:7: invalid JSON \(/) });
    expect(parseLine('{"id": 1, "text": 42}', 8, 'jsonl', 'in.jsonl')).toEqual({ line: 8, id: 1, reason: 'in.jsonl:8.text: expected a string, got number 42' });
    expect(parseLine('{"id": {"a": 1}, "text": "x"}', 9, 'jsonl', 'in.jsonl')).toEqual({ line: 9, reason: 'in.jsonl:9.id: expected a string or a number, got object' });
    expect(parseLine('{"tokens": ["a", ""]}', 10, 'jsonl', 'in.jsonl')).toEqual({ line: 10, reason: 'in.jsonl:10.tokens[1]: a word must contain a visible character, got ""' });
    expect(parseLine('{"text": "a", "tokens": ["a"]}', 11, 'jsonl', 'in.jsonl')).toMatchObject({ reason: 'in.jsonl:11: give either "text" or "tokens", not both' });
  });

  it('picks the format from the file name', () => {
    expect(['a.jsonl', 'a.JSONL.gz', 'b.ndjson', '-', 'a.txt', 'a.txt.gz', 'corpus'].map(formatFromPath)).toEqual(['jsonl', 'jsonl', 'jsonl', 'jsonl', 'text', 'text', 'text']);
  });
});
