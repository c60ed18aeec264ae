import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonFileError, parseJson, readJsonFile, parseJsonLimited } from './json-file';

describe('JSON files name themselves in errors', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spert-json-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses valid JSON and names the file and its role on a syntax error', async () => {
    expect(parseJson('{"a": [1, 2]}', 'x.json')).toEqual({ a: [1, 2] });
    const file = path.join(dir, 'config.json');
    writeFileSync(file, '{"hidden_size": "12\n8"}');
    const err = await readJsonFile(file, { what: 'model config' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JsonFileError);
    expect((err as JsonFileError).file).toBe(file);
    expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(model config\\) is not valid JSON: .*control character`));
  });

  it('names a missing file and a directory given for a file', async () => {
    await expect(readJsonFile(path.join(dir, 'nope.json'))).rejects.toThrow(`cannot read ${path.join(dir, 'nope.json')}: no such file`);
    await expect(readJsonFile(dir, { what: 'types file' })).rejects.toThrow(`cannot read ${dir} (types file): it is a directory`);
  });
});

describe('parseJsonLimited', () => {
  it('refuses nesting deeper than the limit and, when asked, duplicate keys; says where', () => {
    expect(parseJsonLimited('{"a":[[1]],"b":{"c":"{[\\"}"}}')).toEqual({ a: [[1]], b: { c: '{["}' } });
    expect(() => parseJsonLimited(`${'['.repeat(101)}${']'.repeat(101)}`)).toThrow('nested deeper than 100 levels (at character 100)');
    expect(parseJsonLimited(`${'['.repeat(100)}${']'.repeat(100)}`)).toBeDefined();
    expect(parseJsonLimited('{"a":1,"a":2}')).toEqual({ a: 2 });
    expect(() => parseJsonLimited('{"a":1,"b":{"a":1},"a":2}', { rejectDuplicateKeys: true })).toThrow('duplicate key "a" (at character 19)');
    expect(() => parseJsonLimited('{"x":[{"k":1},{"k":2}],"\\u0061":1,"a":2}', { rejectDuplicateKeys: true })).toThrow(/duplicate key "a"/);
  });
  it('parseJson names the file for a structure problem too', () => {
    expect(() => parseJson(`{"a":${'['.repeat(200)}${']'.repeat(200)}}`, 'x.json', 'dataset')).toThrow(/^x\.json \(dataset\) is not valid JSON: nested deeper than 100 levels/);
  });
});
