import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** One line of an input file, numbered from 1 as editors do. */
export interface InputLine {
  line: number;
  text: string;
}

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** File to read, or `-` for `stdin`. */
  path: string;
  /** What `-` reads (default process.stdin); injectable for tests. */
  stdin?: NodeJS.ReadableStream;
  /** Called with the number of raw bytes read so far (compressed bytes for gzip): progress and ETA. */
  onBytes?: (bytes: number) => void;
}

// Peeks at the first chunk so gzip is recognised by its magic bytes whatever the file is called
// (and on stdin), then hands the whole stream on unchanged.
async function rawChunks(source: NodeJS.ReadableStream, onBytes?: (n: number) => void): Promise<{ gzip: boolean; stream: Readable }> {
  const it = (source as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let bytes = 0;
  const count = (c: Buffer | string): Buffer => {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    bytes += b.length;
    onBytes?.(bytes);
    return b;
  };
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : count(first.value);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield count(next.value);
    }
  }
  return { gzip, stream: Readable.from(all(), { objectMode: false }) };
}

/**
 * Streams the lines of a file or stdin, gunzipping when the data is gzip, numbering them from 1;
 * memory stays bounded by the longest line whatever the size of the input. A UTF-8 byte-order
 * mark is dropped; CRLF line ends are accepted.
 */
export async function* readLines(options: ReadLinesOptions): AsyncGenerator<InputLine> {
  const source = options.path === '-' ? (options.stdin ?? process.stdin) : createReadStream(options.path);
  const { gzip, stream } = await rawChunks(source, options.onBytes);
  const text = gzip ? stream.pipe(createGunzip()) : stream;
  if (gzip) stream.on('error', (e) => text.destroy(e));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line += 1;
      yield { line, text: line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw };
    }
  } catch (e) {
    throw new Error(`${options.path === '-' ? 'stdin' : options.path}: cannot read line ${line + 1}: ${(e as Error).message}`);
  } finally {
    lines.close();
  }
}
