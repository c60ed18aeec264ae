import type * as tf from '@tensorflow/tfjs-core';
import { type IntInput, readIntInput } from '@spert/tfjs-ops';

/** Reads [B,S,2] wordpiece ranges for hidden states [B,T,H], checking each lies inside [0, T); `owner` prefixes the errors. */
export function readSpanRanges(hidden: tf.Tensor3D, ranges: IntInput, owner: string): { data: ArrayLike<number>; B: number; T: number; H: number; S: number } {
  if (hidden.rank !== 3) throw new Error(`${owner}: hidden must be [B,T,H], got [${hidden.shape.join(', ')}]`);
  const [B, T, H] = hidden.shape;
  const { data, shape } = readIntInput(ranges, `${owner} ranges`, 3);
  if (shape[0] !== B || shape[2] !== 2) {
    throw new Error(`${owner}: ranges must be [${B},S,2] for hidden [${B},${T},${H}], got [${shape.join(', ')}]`);
  }
  const S = shape[1];
  for (let i = 0; i < B * S; i++) {
    const start = data[2 * i];
    const end = data[2 * i + 1];
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > T) {
      throw new Error(`${owner}: range [${start}, ${end}) at batch ${Math.floor(i / S)}, span ${i % S} is not inside [0, ${T})`);
    }
  }
  return { data, B, T, H, S };
}
