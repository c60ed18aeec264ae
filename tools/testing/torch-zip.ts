// Test helper: writes state dicts in torch.save's zip layout (`<root>/data.pkl` pickled with
// protocol 2 the way torch does, `<root>/data/<key>` raw storages, `<root>/version`), and raw
// pickle opcodes, for the fuzz corpus and for hostile-pickle tests. Stored (uncompressed)
// entries, as torch writes them.
import { zipSync } from 'fflate';

const enc = new TextEncoder();

/** Fixed modification time of written entries, so the same tensors give the same bytes. */
export const ZIP_MTIME = new Date('2026-01-01T00:00:00Z');

/** Pickle bytes from opcode numbers and strings (strings are written as UTF-8). */
export function pickleBytes(...parts: Array<number[] | string>): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...enc.encode(p)] : p)));
}

/** BINUNICODE of `s`. */
export function pickleString(s: string): number[] {
  const b = [...enc.encode(s)];
  return [0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, (b.length >>> 24) & 0xff, ...b];
}

/** The shortest integer opcode for a non-negative `v` (BININT1, BININT2, BININT). */
export function pickleInt(v: number): number[] {
  if (v < 0x100) return [0x4b, v];
  if (v < 0x10000) return [0x4d, v & 0xff, v >> 8];
  return [0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}

/** GLOBAL module.name. */
export function pickleGlobal(module: string, name: string): number[] {
  return [0x63, ...enc.encode(`${module}\n${name}\n`)];
}

/** One tensor of a state dict: its storage type (torch.<type>) and raw little-endian bytes. */
export interface TorchTensor {
  name: string;
  shape: number[];
  storage: 'FloatStorage' | 'HalfStorage' | 'BFloat16Storage' | 'DoubleStorage' | 'LongStorage' | 'IntStorage';
  bytes: Uint8Array;
}

const ELEMENT: Record<TorchTensor['storage'], number> = { FloatStorage: 4, HalfStorage: 2, BFloat16Storage: 2, DoubleStorage: 8, LongStorage: 8, IntStorage: 4 };

/** data.pkl of an OrderedDict of contiguous tensors (storage i holds tensor i), with torch's `_metadata` BUILD. */
export function stateDictPickle(tensors: readonly TorchTensor[]): Uint8Array {
  const out: number[] = [0x80, 2, ...pickleGlobal('collections', 'OrderedDict'), 0x29, 0x52, 0x28];
  tensors.forEach((t, i) => {
    const stride = t.shape.map((_, d) => t.shape.slice(d + 1).reduce((a, b) => a * b, 1));
    out.push(
      ...pickleString(t.name),
      ...pickleGlobal('torch._utils', '_rebuild_tensor_v2'),
      0x28,
      0x28, ...pickleString('storage'), ...pickleGlobal('torch', t.storage), ...pickleString(String(i)), ...pickleString('cpu'), ...pickleInt(t.bytes.length / ELEMENT[t.storage]), 0x74, 0x51,
      ...pickleInt(0),
      0x28, ...t.shape.flatMap(pickleInt), 0x74,
      0x28, ...stride.flatMap(pickleInt), 0x74,
      0x89,
      ...pickleGlobal('collections', 'OrderedDict'), 0x29, 0x52,
      0x74, 0x52,
    );
  });
  out.push(0x75);
  // state_dict()._metadata = {'': {'version': 1}}, set through BUILD as torch pickles it
  out.push(0x7d, 0x28, ...pickleString(''), 0x7d, ...pickleString('version'), ...pickleInt(1), 0x73, 0x75, 0x62, 0x2e);
  return new Uint8Array(out);
}

/** A torch.save zip of `tensors` under `root` (default "archive"). */
export function torchZip(tensors: readonly TorchTensor[], root = 'archive'): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 }]> = {
    [`${root}/data.pkl`]: [stateDictPickle(tensors), { level: 0 }],
    [`${root}/version`]: [enc.encode('3\n'), { level: 0 }],
  };
  tensors.forEach((t, i) => (files[`${root}/data/${i}`] = [t.bytes, { level: 0 }]));
  return zipSync(files, { mtime: ZIP_MTIME });
}
