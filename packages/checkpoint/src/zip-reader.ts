// Minimal ZIP reader for PyTorch checkpoints: central directory (with zip64), stored entries as
// zero-copy views, deflated ones through fflate, every entry's CRC-32 verified so that a corrupt
// file fails instead of yielding garbage weights.
import { inflateSync } from 'fflate';

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

/** Lists the entries of a ZIP archive; `source` names the file in errors. */
export function readZip(bytes: Uint8Array, source: string): Map<string, ZipEntry> {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
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
  const entries = new Map<string, ZipEntry>();
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) fail(`central directory entry ${n} is corrupt`);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    let local = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    // zip64 extended information: only the fields that overflowed are present, in this order
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const len = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = Number(view.getBigUint64(q, true));
          q += 8;
        }
        if (compSize === 0xffffffff) {
          compSize = Number(view.getBigUint64(q, true));
          q += 8;
        }
        if (local === 0xffffffff) local = Number(view.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
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
        else if (method === 8) data = inflateSync(raw, { out: new Uint8Array(entrySize) });
        else return fail(`entry "${name}": unsupported compression method ${method}`);
        if (data.length !== entrySize) fail(`entry "${name}": expected ${entrySize} bytes, got ${data.length}`);
        if (crc32(data) !== crc) fail(`entry "${name}": CRC-32 mismatch (corrupt file)`);
        return data;
      },
    });
  }
  return entries;
}
