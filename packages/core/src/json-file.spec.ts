import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JsonFileError, parseJson, readJsonFile } from './json-file';

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
