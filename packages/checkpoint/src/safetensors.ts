// The safetensors container: 8-byte little-endian header length, a JSON header, then raw data.
// Spec: https://github.com/huggingface/safetensors#format
import { parseJsonLimited, SpertError } from '@spert/core';
import { decodeStored, floatToBf16, floatToHalf, STORED_BYTES, type StoredKind } from './dtype';

/** Element types this package reads and writes. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32';

/** One tensor read from or written to a safetensors file. */
export interface NamedTensor {
  /** Dimensions, outermost first (PyTorch order). */
  shape: number[];
  /** Row-major values; integer dtypes are returned as Int32Array (I64 narrowed, checked). */
  data: Float32Array | Int32Array;
  /** Element type on disk; on write, the type to store (default F32 / I32 by array type). */
  dtype?: SafetensorsDtype;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

const KIND: Record<SafetensorsDtype, StoredKind> = { F32: 'f32', F16: 'f16', BF16: 'bf16', I64: 'i64', I32: 'i32' };
const BYTES = (dtype: SafetensorsDtype): number => STORED_BYTES[KIND[dtype]];
const MAX_HEADER = 100 * 1024 * 1024;

function isDtype(x: unknown): x is SafetensorsDtype {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(KIND, x);
}

/** JSON of a header value for a message, cut short (a hostile header can hold megabytes). */
function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 100 ? `${s.slice(0, 100)}...` : s;
}

function fail(where: string, msg: string): never {
  throw new SpertError('INVALID_CHECKPOINT', `safetensors${where ? ` (${where})` : ''}: ${msg}`);
}

/** Parses safetensors bytes; floats are widened to float32. `source` names the file in errors. */
export function readSafetensors(bytes: Uint8Array, source = ''): SafetensorsFile {
  if (bytes.byteLength < 8) fail(source, `file too short (${bytes.byteLength} bytes) for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER || 8 + headerLen > bytes.byteLength) {
    fail(source, `header length ${headerLen} exceeds the file size ${bytes.byteLength} (truncated or not safetensors)`);
  }
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail(source, 'header is not valid UTF-8 JSON: invalid UTF-8');
  }
  let header: unknown;
  try {
    // Duplicate tensor names would make JSON.parse keep one silently: refused, as the format's own reader does.
    header = parseJsonLimited(text, { rejectDuplicateKeys: true });
  } catch (e) {
    fail(source, `header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(source, 'header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  const ranges: Array<[number, number, string]> = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(source, '__metadata__ is not an object');
      metadata = {};
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(source, `__metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!isDtype(e?.dtype)) fail(source, `tensor "${name}": unsupported dtype ${show(e?.dtype)} (supported: ${Object.keys(KIND).join(', ')})`);
    const dtype = e.dtype;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(source, `tensor "${name}": bad shape ${show(e.shape)}`);
    const shape = e.shape as number[];
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0)) fail(source, `tensor "${name}": bad data_offsets ${show(offs)}`);
    const [begin, end] = offs as [number, number];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(count * BYTES(dtype)) || end < begin || end - begin !== count * BYTES(dtype)) fail(source, `tensor "${name}": data_offsets [${begin}, ${end}] do not match shape [${shape}] of ${dtype}`);
    if (end > dataLen) fail(source, `tensor "${name}": data ends at ${end} but only ${dataLen} data bytes exist (truncated file)`);
    ranges.push([begin, end, name]);
    tensors.set(name, { shape, dtype, data: decodeStored(bytes, dataStart + begin, count, KIND[dtype], (v, i) => fail(source, `tensor "${name}": I64 value ${v} at index ${i} does not fit int32`)) });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) fail(source, `tensors "${ranges[i - 1][2]}" and "${ranges[i][2]}" overlap`);
  }
  return { tensors, metadata };
}

/** Serialises tensors (sorted by name, 8-byte aligned header) with optional string metadata. */
export function writeSafetensors(tensors: Map<string, NamedTensor> | Record<string, NamedTensor>, metadata?: Record<string, string>): Uint8Array {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const layout: Array<{ t: NamedTensor; dtype: SafetensorsDtype; begin: number; name: string }> = [];
  for (const [name, t] of entries) {
    if (name === '__metadata__') throw new SpertError('INVALID_INPUT', 'writeSafetensors: "__metadata__" is reserved and cannot name a tensor');
    const dtype = t.dtype ?? (t.data instanceof Int32Array ? 'I32' : 'F32');
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new SpertError('INVALID_INPUT', `writeSafetensors: tensor "${name}" has ${t.data.length} values but shape [${t.shape}] needs ${count}`);
    const isInt = dtype === 'I32' || dtype === 'I64';
    if (isInt !== t.data instanceof Int32Array) throw new SpertError('INVALID_INPUT', `writeSafetensors: tensor "${name}": dtype ${dtype} needs ${isInt ? 'Int32Array' : 'Float32Array'} data`);
    const size = count * BYTES(dtype);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    layout.push({ t, dtype, begin: offset, name });
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(pad));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  const base = 8 + json.length;
  for (const { t, dtype, begin } of layout) {
    const p = base + begin;
    const n = t.data.length;
    switch (dtype) {
      case 'F32':
      case 'I32':
        out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, n * 4), p);
        break;
      case 'F16':
        for (let i = 0; i < n; i++) view.setUint16(p + i * 2, floatToHalf(t.data[i]), true);
        break;
      case 'BF16':
        for (let i = 0; i < n; i++) view.setUint16(p + i * 2, floatToBf16(t.data[i]), true);
        break;
      case 'I64':
        for (let i = 0; i < n; i++) view.setBigInt64(p + i * 8, BigInt(t.data[i]), true);
        break;
    }
  }
  return out;
}
