import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { readLines, type InputLine } from './read-lines';

async function collect(it: AsyncIterable<{ line: number; text: string }>): Promise<Array<[number, string]>> {
  const out: Array<[number, string]> = [];
  for await (const l of it) out.push([l.line, l.text]);
  return out;
}

describe('readLines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'spert-core-lines-'));
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

  async function lines(data: Buffer, options: { maxLineBytes?: number } = {}): Promise<InputLine[]> {
    const out: InputLine[] = [];
    // One byte per chunk: lines, CRs and multi-byte characters must not depend on chunk boundaries.
    const chunks = Array.from(data, (b) => Buffer.from([b]));
    for await (const l of readLines({ path: '-', stdin: Readable.from(chunks), ...options })) out.push(l);
    return out;
  }

  it('flags exactly the lines whose bytes are not UTF-8, keeps the others, whatever the chunking', async () => {
    const data = Buffer.concat([Buffer.from('caf\u00e9 ok\n'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0x0a]), Buffer.from('\u{1f600} also ok\r\nlone\rcr\n')]);
    expect(await lines(data)).toEqual([
      { line: 1, text: 'caf\u00e9 ok' },
      { line: 2, text: 'bad\ufffd', problem: 'invalid-utf8' },
      { line: 3, text: '\u{1f600} also ok' },
      { line: 4, text: 'lone\rcr' },
    ]);
    // A genuine U+FFFD in valid UTF-8 is text, not a problem.
    expect(await lines(Buffer.from('\ufffd\n'))).toEqual([{ line: 1, text: '\ufffd' }]);
  });

  it('skips a line longer than maxLineBytes as it streams, and goes on with the next', async () => {
    const data = Buffer.from(`short\n${'x'.repeat(100)}\nnext\n${'y'.repeat(50)}`);
    expect(await lines(data, { maxLineBytes: 20 })).toEqual([
      { line: 1, text: 'short' },
      { line: 2, text: '', problem: 'too-long' },
      { line: 3, text: 'next' },
      { line: 4, text: '', problem: 'too-long' },
    ]);
    expect(await lines(Buffer.from('exactly20bytes......\n'), { maxLineBytes: 20 })).toEqual([{ line: 1, text: 'exactly20bytes......' }]);
    await expect(lines(Buffer.from('a'), { maxLineBytes: 0 })).rejects.toThrow(/maxLineBytes must be a positive number/);
  });
});
