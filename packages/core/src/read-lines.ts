import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SpertError } from './errors';

/** One line of an input file, numbered from 1 as editors do. */
export interface InputLine {
  line: number;
  /** The line without its line end; bytes that are not UTF-8 become U+FFFD (and `problem` says so). */
  text: string;
  /**
   * Set when the line is not usable as it stands: 'invalid-utf8' (the text holds U+FFFD where the
   * bytes were not UTF-8), 'too-long' (longer than `maxLineBytes`: `text` is empty, the bytes were skipped).
   */
  problem?: 'invalid-utf8' | 'too-long';
}

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** File to read, or `-` for `stdin`. */
  path: string;
  /** What `-` reads (default process.stdin); injectable for tests. */
  stdin?: NodeJS.ReadableStream;
  /** Read this stream instead of opening `path` (which then only names the input in messages). */
  stream?: NodeJS.ReadableStream;
  /** Called with the number of raw bytes read so far (compressed bytes for gzip): progress and ETA. */
  onBytes?: (bytes: number) => void;
  /**
   * Longest line kept, in bytes (default: no limit). A longer line is skipped as it streams by and
   * comes out as `{text: '', problem: 'too-long'}`, so memory stays bounded even for a file without line ends.
   */
  maxLineBytes?: number;
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

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Streams the lines of a file or stdin, gunzipping when the data is gzip, numbering them from 1;
 * memory stays bounded by the longest line (or `maxLineBytes`) whatever the size of the input.
 * Lines end at LF; a CR before it is dropped (CRLF files), a lone CR is kept. A UTF-8 byte-order
 * mark is dropped. Lines are split on bytes and decoded one by one, so a line with bytes that are
 * not UTF-8 is found and flagged exactly (`problem: 'invalid-utf8'`) rather than silently repaired.
 */
export async function* readLines(options: ReadLinesOptions): AsyncGenerator<InputLine> {
  const maxBytes = options.maxLineBytes ?? Number.POSITIVE_INFINITY;
  if (!(maxBytes > 0)) throw new RangeError(`maxLineBytes must be a positive number of bytes, got ${options.maxLineBytes}`);
  const source = options.stream ?? (options.path === '-' ? (options.stdin ?? process.stdin) : createReadStream(options.path));
  const { gzip, stream } = await rawChunks(source, options.onBytes);
  const bytes: AsyncIterable<Buffer> = gzip ? stream.pipe(createGunzip()) : stream;
  if (gzip) stream.on('error', (e) => (bytes as Readable).destroy(e));
  let line = 0;
  // The current line's pieces (a line may span chunks) and their total size.
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  const finish = (): InputLine => {
    line += 1;
    if (tooLong) {
      parts = [];
      size = 0;
      tooLong = false;
      return { line, text: '', problem: 'too-long' };
    }
    let buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
    if (line === 1 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    try {
      return { line, text: strict.decode(buf) };
    } catch {
      return { line, text: lenient.decode(buf), problem: 'invalid-utf8' };
    }
  };
  const append = (piece: Buffer) => {
    if (tooLong || piece.length === 0) return;
    if (size + piece.length > maxBytes) {
      tooLong = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(piece);
    size += piece.length;
  };
  try {
    for await (const chunk of bytes) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        append(chunk.subarray(start, nl));
        yield finish();
        start = nl + 1;
      }
      // Copy the tail: the chunk's buffer may be reused by the stream.
      if (start < chunk.length) append(Buffer.from(chunk.subarray(start)));
    }
    if (size > 0 || tooLong) yield finish();
  } catch (e) {
    throw new SpertError('INVALID_FILE', `${options.path === '-' ? 'stdin' : options.path}: cannot read line ${line + 1}: ${(e as Error).message}`);
  }
}
