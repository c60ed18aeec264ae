// Fast bit-exact comparison of typed arrays (jest's toEqual walks them element by element).

/** True when both arrays have the same type, length and bytes. */
export function sameBits(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean {
  if (!a || !b || a.constructor !== b.constructor || a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
