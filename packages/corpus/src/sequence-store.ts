import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { parseJson, renameDurable, SpertError, writeFileAtomic, type ErrorCode } from '@spert/core';
import type { PackedSequence } from './pack';

/** File names inside a store directory. */
export const STORE_FILES = { sequences: 'sequences.bin', sidecar: 'store.json' } as const;

const MAGIC = 'SPERTSEQ';
const VERSION = 1;
const HEADER_BYTES = 64;
const FORMAT = 'spert-sequence-store';

/** Bytes of one record for sequences of at most `maxLength` ids: length, ids, word ids, padded to 4 bytes. */
export function recordBytes(maxLength: number): number {
  return 4 + 4 * maxLength + ((2 * maxLength + 3) & ~3);
}

/** The store's JSON sidecar (`store.json`): what the binary file holds and what it was built from. */
export interface StoreSidecar {
  format: typeof FORMAT;
  version: number;
  /** Random id written in the binary file's header too: a sidecar only describes the file it was written with. */
  buildId: string;
  maxLength: number;
  recordBytes: number;
  sequences: number;
  /** Ids in all sequences, special tokens included. */
  tokens: number;
  /** Free-form description of how the store was built (inputs, tokenizer, counts); see openOrBuildSequenceStore. */
  meta: Record<string, unknown>;
}

/** One stored sequence. */
export interface StoredSequence {
  /** Number of ids (the rest of a record is padding). */
  length: number;
  ids: Int32Array;
  /** Word of each position (-1 for special tokens), as {@link PackedSequence}. */
  wordIds: Int32Array;
}

/**
 * Thrown when a store directory holds no complete store (never finished, or a mismatched pair of
 * files): code `INVALID_CORPUS` (`CLOSED` when a closed store is read).
 */
export class SequenceStoreError extends SpertError {
  /** Builds the error; `file` is the store folder or file at fault. */
  constructor(message: string, options: { file?: string; code?: ErrorCode } = {}) {
    super(options.code ?? 'INVALID_CORPUS', message, { file: options.file });
    this.name = 'SequenceStoreError';
  }
}

/**
 * Writes a sequence store: fixed-size binary records appended to a temporary file, which
 * {@link SequenceStoreWriter.finish} fsyncs and renames to `sequences.bin`, then the sidecar
 * (`store.json`) is written atomically. A store is complete when its sidecar exists: an
 * interrupted write leaves no sidecar (an old one is removed first), so it never looks complete.
 */
export class SequenceStoreWriter {
  private count = 0;
  private tokens = 0;
  private readonly buffer: Buffer;
  private used = 0;
  // Where the next flush goes: positioned writes do not move the file position, so it is kept here.
  private offset = HEADER_BYTES;
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly tmp: string,
    private readonly handle: fsp.FileHandle,
    readonly maxLength: number,
    private readonly buildId: string,
  ) {
    this.buffer = Buffer.alloc(Math.max(1, Math.floor((1 << 20) / recordBytes(maxLength))) * recordBytes(maxLength));
  }

  /**
   * Starts a store in `dir` (created if needed), removing the sidecar of a store already there and
   * the temporary files of builds that were killed (one builder per directory at a time).
   */
  static async create(params: { dir: string; maxLength: number }): Promise<SequenceStoreWriter> {
    const { dir, maxLength } = params;
    if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 32767) {
      throw new RangeError(`maxLength must be an integer in [1, 32767] (word ids are stored as int16), got ${maxLength}`);
    }
    await fsp.mkdir(dir, { recursive: true });
    await fsp.rm(path.join(dir, STORE_FILES.sidecar), { force: true });
    for (const name of await fsp.readdir(dir)) {
      if (name.startsWith(`.${STORE_FILES.sequences}.`) && name.endsWith('.tmp')) await fsp.rm(path.join(dir, name), { force: true });
    }
    const tmp = path.join(dir, `.${STORE_FILES.sequences}.${process.pid}.${Date.now().toString(36)}.tmp`);
    const handle = await fsp.open(tmp, 'w');
    const buildId = randomBytes(16).toString('hex');
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(MAGIC, 0, 'latin1');
    header.writeUInt32LE(VERSION, 8);
    header.writeUInt32LE(maxLength, 12);
    header.writeUInt32LE(recordBytes(maxLength), 16);
    Buffer.from(buildId, 'hex').copy(header, 20);
    await handle.write(header, 0, HEADER_BYTES, 0);
    return new SequenceStoreWriter(dir, tmp, handle, maxLength, buildId);
  }

  /** Sequences appended so far. */
  get sequences(): number {
    return this.count;
  }

  /** Appends one sequence (at most maxLength ids). */
  async append(seq: PackedSequence): Promise<void> {
    const n = seq.ids.length;
    if (n === 0 || n > this.maxLength || seq.wordIds.length !== n) {
      throw new RangeError(`sequence ${this.count}: ${n} ids and ${seq.wordIds.length} word ids; expected 1..${this.maxLength} of each, as many word ids as ids`);
    }
    const size = recordBytes(this.maxLength);
    if (this.used + size > this.buffer.length) await this.flush();
    const at = this.used;
    this.buffer.fill(0, at, at + size);
    this.buffer.writeUInt32LE(n, at);
    for (let i = 0; i < n; i++) {
      this.buffer.writeInt32LE(seq.ids[i], at + 4 + 4 * i);
      this.buffer.writeInt16LE(seq.wordIds[i], at + 4 + 4 * this.maxLength + 2 * i);
    }
    this.used += size;
    this.count++;
    this.tokens += n;
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.handle.write(this.buffer, 0, this.used, this.offset);
    this.offset += this.used;
    this.used = 0;
  }

  /** Makes the store complete: data fsynced and renamed into place, then the sidecar with `meta`. */
  async finish(meta: Record<string, unknown>): Promise<StoreSidecar> {
    await this.flush();
    await this.handle.sync();
    await this.handle.close();
    this.closed = true;
    await renameDurable({ from: this.tmp, to: path.join(this.dir, STORE_FILES.sequences) });
    const sidecar: StoreSidecar = {
      format: FORMAT,
      version: VERSION,
      buildId: this.buildId,
      maxLength: this.maxLength,
      recordBytes: recordBytes(this.maxLength),
      sequences: this.count,
      tokens: this.tokens,
      meta,
    };
    await writeFileAtomic({ path: path.join(this.dir, STORE_FILES.sidecar), data: `${JSON.stringify(sidecar, null, 2)}\n` });
    return sidecar;
  }

  /** Gives up: closes and removes the temporary file (the directory keeps no store). */
  async abort(): Promise<void> {
    if (!this.closed) await this.handle.close().catch(() => undefined);
    this.closed = true;
    await fsp.rm(this.tmp, { force: true });
  }
}

/**
 * A finished sequence store, read by positioned reads: `get(i)` reads one record from the file, so
 * memory does not grow with the store. Reads are deterministic (the file is never written again).
 */
export class SequenceStore {
  private fd: number | undefined;
  private readonly record: Buffer;

  private constructor(
    readonly dir: string,
    readonly sidecar: StoreSidecar,
    fd: number,
  ) {
    this.fd = fd;
    this.record = Buffer.alloc(sidecar.recordBytes);
  }

  /** Opens the store in `dir`; a SequenceStoreError says why when it is missing, unfinished or inconsistent. */
  static async open(dir: string): Promise<SequenceStore> {
    const sidecarPath = path.join(dir, STORE_FILES.sidecar);
    let text: string;
    try {
      text = await fsp.readFile(sidecarPath, 'utf8');
    } catch {
      throw new SequenceStoreError(`${dir} holds no complete sequence store (no ${STORE_FILES.sidecar}: never built, or its build was interrupted)`);
    }
    const sidecar = parseJson(text, sidecarPath, 'sequence store sidecar') as StoreSidecar;
    if (sidecar?.format !== FORMAT || sidecar.version !== VERSION) {
      throw new SequenceStoreError(`${sidecarPath}: not a version ${VERSION} ${FORMAT} sidecar (format ${JSON.stringify(sidecar?.format)}, version ${JSON.stringify(sidecar?.version)})`);
    }
    const file = path.join(dir, STORE_FILES.sequences);
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      throw new SequenceStoreError(`${file}: cannot open the store's sequences: ${(err as Error).message}`);
    }
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      readSync(fd, header, 0, HEADER_BYTES, 0);
      const problems: string[] = [];
      if (header.toString('latin1', 0, 8) !== MAGIC) problems.push('bad magic bytes');
      else {
        if (header.readUInt32LE(12) !== sidecar.maxLength || header.readUInt32LE(16) !== sidecar.recordBytes) problems.push('record layout differs from the sidecar');
        if (header.toString('hex', 20, 36) !== sidecar.buildId) problems.push('it was written by another build than the sidecar');
        const expected = HEADER_BYTES + sidecar.sequences * sidecar.recordBytes;
        const size = fstatSync(fd).size;
        if (size !== expected) problems.push(`${size} bytes where the sidecar's ${sidecar.sequences} sequences make ${expected}`);
      }
      if (problems.length > 0) throw new SequenceStoreError(`${file} does not match ${sidecarPath} (${problems.join('; ')}): rebuild the store`);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return new SequenceStore(dir, sidecar, fd);
  }

  /** Number of sequences. */
  get length(): number {
    return this.sidecar.sequences;
  }

  /** Longest sequence the records hold. */
  get maxLength(): number {
    return this.sidecar.maxLength;
  }

  /** Sequence `i` (0 <= i < length), read from disk. */
  get(i: number): StoredSequence {
    if (this.fd === undefined) throw new SequenceStoreError(`${this.dir}: the store is closed`, { file: this.dir, code: 'CLOSED' });
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`sequence index ${i} is outside the store's 0..${this.length - 1}`);
    const size = this.sidecar.recordBytes;
    const got = readSync(this.fd, this.record, 0, size, HEADER_BYTES + i * size);
    if (got !== size) throw new SequenceStoreError(`${this.dir}: short read of sequence ${i} (${got} of ${size} bytes)`);
    const n = this.record.readUInt32LE(0);
    const max = this.sidecar.maxLength;
    if (n < 1 || n > max) throw new SequenceStoreError(`${this.dir}: sequence ${i} claims ${n} ids (1..${max} expected): the file is damaged, rebuild the store`);
    const ids = new Int32Array(n);
    const wordIds = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      ids[t] = this.record.readInt32LE(4 + 4 * t);
      wordIds[t] = this.record.readInt16LE(4 + 4 * max + 2 * t);
    }
    return { length: n, ids, wordIds };
  }

  /** Closes the file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
