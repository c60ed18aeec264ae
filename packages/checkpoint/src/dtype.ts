// Conversions between the element formats of checkpoints (half precision, bfloat16, double,
// int64) and the float32 / int32 arrays tensors are held in.

/** Widens one IEEE 754 binary16 value (given as its 16 raw bits) to a JS number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Narrows a number to binary16 bits with round-to-nearest-even (as torch's .half()). */
export function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Widens bfloat16 bits to a float32-representable number (exact). */
export function bf16ToFloat(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** Narrows a number to bfloat16 bits with round-to-nearest-even (as torch's .bfloat16()). */
export function floatToBf16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) return ((x >>> 16) | 0x40) & 0xffff;
  const rounded = x + 0x7fff + ((x >>> 16) & 1);
  return (rounded >>> 16) & 0xffff;
}

/** How tensor bytes are stored, little-endian: what safetensors dtypes and PyTorch storages name. */
export type StoredKind = 'f32' | 'f16' | 'bf16' | 'f64' | 'i64' | 'i32';

/** Bytes per element of each stored kind. */
export const STORED_BYTES: Record<StoredKind, number> = { f32: 4, f16: 2, bf16: 2, f64: 8, i64: 8, i32: 4 };

/**
 * Reads `count` elements of `kind` at byte `begin` of `bytes` as float32 (floating kinds, widened
 * or narrowed) or int32 (integer kinds); `tooWide(value, index)` throws for an int64 outside int32.
 */
export function decodeStored(bytes: Uint8Array, begin: number, count: number, kind: StoredKind, tooWide: (value: bigint, index: number) => never): Float32Array | Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, count * STORED_BYTES[kind]);
  switch (kind) {
    case 'f32':
    case 'i32': {
      const out = kind === 'f32' ? new Float32Array(count) : new Int32Array(count);
      new Uint8Array(out.buffer).set(bytes.subarray(begin, begin + count * 4));
      return out;
    }
    case 'f16':
    case 'bf16': {
      const out = new Float32Array(count);
      const widen = kind === 'f16' ? halfToFloat : bf16ToFloat;
      for (let i = 0; i < count; i++) out[i] = widen(view.getUint16(i * 2, true));
      return out;
    }
    case 'f64': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'i64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) tooWide(v, i);
        out[i] = Number(v);
      }
      return out;
    }
  }
}
