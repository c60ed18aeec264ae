import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readLines } from './read-lines';

async function collect(it: AsyncIterable<{ line: number; text: string }>): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const l of it) out.push([l.line, l.text]);
  return out;
}

describe('readLines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-batch-lines-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  const text = '\ufeffone\r\ntwo\n\nthree';
  const want: Array<[number, string]> = [[1, 'one'], [2, 'two'], [3, ''], [4, 'three']];

  it('numbers the lines of a plain file from 1, dropping a BOM and CR', async () => {
    const f = path.join(dir, 'a.txt');
    await writeFile(f, text);
    expect(await collect(readLines({ path: f }))).toEqual(want);
  });

  it('recognises gzip by its magic bytes whatever the name, and reports raw bytes read', async () => {
    const f = path.join(dir, 'a.data');
    const gz = gzipSync(Buffer.from(text));
    await writeFile(f, gz);
    let bytes = 0;
    expect(await collect(readLines({ path: f, onBytes: (b) => (bytes = b) }))).toEqual(want);
    expect(bytes).toBe(gz.length);
  });

  it('reads stdin, gzipped or not, and an empty input', async () => {
    expect(await collect(readLines({ path: '-', stdin: Readable.from([Buffer.from('x\ny')]) }))).toEqual([[1, 'x'], [2, 'y']]);
    const gz = gzipSync(Buffer.from('p\nq\n'));
    // Split inside the magic bytes: detection must not depend on chunk boundaries after the first.
    expect(await collect(readLines({ path: '-', stdin: Readable.from([gz.subarray(0, 5), gz.subarray(5)]) }))).toEqual([[1, 'p'], [2, 'q']]);
    expect(await collect(readLines({ path: '-', stdin: Readable.from([]) }))).toEqual([]);
  });

  it('fails with the file name on a missing file or corrupt gzip', async () => {
    await expect(collect(readLines({ path: path.join(dir, 'missing.jsonl') }))).rejects.toThrow('ENOENT');
    const f = path.join(dir, 'bad.gz');
    await writeFile(f, Buffer.concat([gzipSync(Buffer.from('a\nb\n'.repeat(100))).subarray(0, 20)]));
    await expect(collect(readLines({ path: f }))).rejects.toThrow(`${f}: cannot read line`);
  });
});
