import { gunzipSync } from 'node:zlib';
import { SpertError } from '@spert/core';

/** One article of a dictd database: the headwords that point at it and its raw text. */
export interface DictdEntry {
  headwords: string[];
  /** Byte offset of the article in the uncompressed .dict (articles come in this order). */
  offset: number;
  text: string;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** dictd's index numbers: base64 digits, most significant first (not RFC 4648 byte encoding). */
export function decodeDictdNumber(s: string, where: string): number {
  let n = 0;
  for (const c of s) {
    const d = B64.indexOf(c);
    if (d < 0) throw new SpertError('INVALID_FILE', `${where}: "${s}" is not a dictd base64 number`);
    n = n * 64 + d;
  }
  return n;
}

/** A .dict.dz is dictzip: gzip with an extra header field, which plain gunzip reads. */
export function dictdBody(bytes: Uint8Array, file: string): Buffer {
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gzip) return Buffer.from(bytes);
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new SpertError('INVALID_FILE', `${file}: not a valid dictzip/gzip file: ${(err as Error).message}`, { file }, { cause: err });
  }
}

/**
 * The articles of a dictd database (a `.index` of `headword TAB offset TAB length` lines and its
 * `.dict`, plain or dictzip), each once however many headwords point at it, in file order, without
 * the `00-database-*` (or `00database*`) metadata articles.
 */
export function readDictd(index: string, dict: Uint8Array, files: { index: string; dict: string }): DictdEntry[] {
  const body = dictdBody(dict, files.dict);
  const byOffset = new Map<string, DictdEntry>();
  const lines = index.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line === '') continue;
    const where = `${files.index}:${i + 1}`;
    const parts = line.split('\t');
    if (parts.length < 3) throw new SpertError('INVALID_FILE', `${where}: expected "headword<TAB>offset<TAB>length", got "${line.slice(0, 80)}"`);
    const [headword, off, len] = parts;
    if (/^00-?database/i.test(headword)) continue;
    const offset = decodeDictdNumber(off, where);
    const length = decodeDictdNumber(len, where);
    if (offset + length > body.length) throw new SpertError('INVALID_FILE', `${where}: article at ${offset}+${length} lies past the end of ${files.dict} (${body.length} bytes)`);
    const key = `${offset}:${length}`;
    const text = body.subarray(offset, offset + length).toString('utf8');
    // dict-gcide's index points a real headword ("0") into its database notes as well.
    if (/^\s*00-?database/i.test(text)) continue;
    const seen = byOffset.get(key);
    if (seen) seen.headwords.push(headword);
    else byOffset.set(key, { headwords: [headword], offset, text });
  }
  return [...byOffset.values()].sort((a, b) => a.offset - b.offset);
}
