// Minimal ZIP reader for PyTorch checkpoints: central directory (with zip64), stored entries as
// zero-copy views, deflated ones through fflate, every entry's CRC-32 verified so that a corrupt
// file fails instead of yielding garbage weights.
// Hostile archives are refused before anything is allocated from what they claim: sizes and
// offsets are checked against the file's real length, an entry may not claim more than deflate
// can produce from its compressed bytes, inflating stops at the announced size, and names that
// could escape a folder (`../`, absolute, drive letters) or repeat are errors.
import { Inflate } from 'fflate';
import { SpertError } from '@spert/core';

/** One file of a ZIP archive. */
export interface ZipEntry {
  name: string;
  /** Reads (and CRC-checks) the entry's bytes. */
  read(): Uint8Array;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, as in ZIP) of `bytes`. */
export function crc32(bytes: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** Why an entry name is unsafe to have in an archive (it could name a file outside a folder), or undefined. */
function unsafeName(name: string): string | undefined {
  if (name.includes('\0')) return 'the name contains a NUL character';
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return 'absolute names are refused';
  if (name.split(/[\\/]/).includes('..')) return 'names with ".." are refused (they could point outside the archive\'s folder)';
  return undefined;
}

/** Inflates `raw`, allocating as the data arrives (never from a claim), and stops once more than `max` bytes come out. */
function inflateAtMost(raw: Uint8Array, max: number, tooLong: () => never, bad: (msg: string) => never): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const inflate = new Inflate((chunk) => {
    total += chunk.length;
    if (total > max) tooLong();
    chunks.push(chunk);
  });
  try {
    // fed in slices so that a bomb is stopped after one slice's output, not after all of it
    for (let i = 0; i < raw.length; i += 65536) inflate.push(raw.subarray(i, i + 65536), i + 65536 >= raw.length);
    if (raw.length === 0) inflate.push(raw, true);
  } catch (e) {
    if (total > max) throw e;
    bad((e as Error).message);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Lists the entries of a ZIP archive; `source` names the file in errors. */
export function readZip(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const fail = (msg: string): never => {
    throw new SpertError('INVALID_CHECKPOINT', `${source}: ${msg}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('not a ZIP archive or truncated (no end-of-central-directory record)');
  let count = view.getUint16(eocd + 10, true);
  let cdSize = view.getUint32(eocd + 12, true);
  let cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || view.getUint32(loc, true) !== 0x07064b50) fail('zip64 locator missing');
    const z = Number(view.getBigUint64(loc + 8, true));
    if (z + 56 > bytes.length || view.getUint32(z, true) !== 0x06064b50) fail('zip64 end record missing or truncated');
    count = Number(view.getBigUint64(z + 32, true));
    cdSize = Number(view.getBigUint64(z + 40, true));
    cdOffset = Number(view.getBigUint64(z + 48, true));
  }
  if (cdOffset + cdSize > bytes.length) fail('central directory lies beyond the end of the file (truncated)');
  // Each central directory record is at least 46 bytes: a count beyond that is a lie.
  if (count > cdSize / 46) fail(`${count} entries announced, but the central directory (${cdSize} bytes) holds at most ${Math.floor(cdSize / 46)}`);
  const cdEnd = cdOffset + cdSize;
  const entries = new Map<string, ZipEntry>();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cdEnd || view.getUint32(p, true) !== 0x02014b50) fail(`central directory entry ${n} is corrupt`);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cdEnd) fail(`central directory entry ${n} runs past the directory's end (corrupt)`);
    let name: string;
    try {
      name = utf8.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    } catch {
      return fail(`central directory entry ${n}: the name is not valid UTF-8`);
    }
    const unsafe = unsafeName(name);
    if (unsafe) fail(`entry "${name}": ${unsafe}`);
    if (entries.has(name)) fail(`entry "${name}" appears twice`);
    // zip64 extended information: only the fields that overflowed are present, in this order
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (e + 4 + len > extraEnd) fail(`entry "${name}": extra field runs past its record (corrupt)`);
      if (id === 0x0001) {
        let q = e + 4;
        const u64 = (): number => {
          if (q + 8 > e + 4 + len) fail(`entry "${name}": zip64 extra field too short`);
          q += 8;
          return Number(view.getBigUint64(q - 8, true));
        };
        if (size === 0xffffffff) size = u64();
        if (compSize === 0xffffffff) compSize = u64();
        if (local === 0xffffffff) local = u64();
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
    if (local + 30 + compSize > bytes.length) fail(`entry "${name}": ${compSize} bytes at offset ${local} run past the end of the ${bytes.length}-byte file (truncated or corrupt)`);
    if (method === 0 && size !== compSize) fail(`entry "${name}": stored (uncompressed) but announces ${size} bytes for ${compSize} stored ones`);
    // deflate expands at most 1032:1; a larger claim is a lie about to cost memory
    if (method === 8 && size > compSize * 1032 + 1024) fail(`entry "${name}": announces ${size} bytes from ${compSize} compressed ones, more than deflate can produce`);
    const entryLocal = local;
    const entryComp = compSize;
    const entrySize = size;
    entries.set(name, {
      name,
      read(): Uint8Array {
        if (entryLocal + 30 > bytes.length || view.getUint32(entryLocal, true) !== 0x04034b50) fail(`entry "${name}": local header missing or corrupt`);
        const start = entryLocal + 30 + view.getUint16(entryLocal + 26, true) + view.getUint16(entryLocal + 28, true);
        if (start + entryComp > bytes.length) fail(`entry "${name}": data runs past the end of the file (truncated)`);
        const raw = bytes.subarray(start, start + entryComp);
        let data: Uint8Array;
        if (method === 0) data = raw;
        else if (method === 8) data = inflateAtMost(raw, entrySize, () => fail(`entry "${name}": inflates to more than the announced ${entrySize} bytes (corrupt)`), (m) => fail(`entry "${name}": bad deflate data (${m})`));
        else return fail(`entry "${name}": unsupported compression method ${method}`);
        if (data.length !== entrySize) fail(`entry "${name}": expected ${entrySize} bytes, got ${data.length}`);
        if (crc32(data) !== crc) fail(`entry "${name}": CRC-32 mismatch (corrupt file)`);
        return data;
      },
    });
  }
  return entries;
}
