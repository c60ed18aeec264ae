import type { OffsetUnit } from './types';

/** Converts offsets between a tool's unit and UTF-16 code units (JS string indices) for one text. */
export interface OffsetMap {
  /** Tool offset -> UTF-16 index; undefined when outside the text or inside a surrogate pair. */
  toUtf16(offset: number): number | undefined;
  /** UTF-16 index -> tool offset. */
  fromUtf16(index: number): number;
  /** Length of the text in the tool's unit. */
  length: number;
}

/** Builds the offset map of a text for a unit (identity for UTF-16). */
export function offsetMap(text: string, unit: OffsetUnit): OffsetMap {
  const valid = (o: number, n: number) => Number.isInteger(o) && o >= 0 && o <= n;
  if (unit === 'utf16') {
    return { toUtf16: (o) => (valid(o, text.length) ? o : undefined), fromUtf16: (i) => i, length: text.length };
  }
  // Only astral characters (two UTF-16 units) make the units differ; most texts take the fast path.
  if (!/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text)) {
    return { toUtf16: (o) => (valid(o, text.length) ? o : undefined), fromUtf16: (i) => i, length: text.length };
  }
  const cpToUnit: number[] = [];
  const unitToCp = new Array<number>(text.length + 1);
  let u = 0;
  for (const ch of text) {
    unitToCp[u] = cpToUnit.length;
    if (ch.length === 2) unitToCp[u + 1] = cpToUnit.length; // inside the pair: maps to the character's start
    cpToUnit.push(u);
    u += ch.length;
  }
  unitToCp[u] = cpToUnit.length;
  cpToUnit.push(u);
  return {
    toUtf16: (o) => (valid(o, cpToUnit.length - 1) ? cpToUnit[o] : undefined),
    fromUtf16: (i) => unitToCp[i],
    length: cpToUnit.length - 1,
  };
}
