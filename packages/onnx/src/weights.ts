import { SpertError } from '@spert/core';
// Looking up a checkpoint's tensors by the reference's parameter names, with errors that name
// the missing or mis-shaped tensor, and the [out, in] -> [in, out] transpose MatMul needs.
export { transpose2d } from '@spert/checkpoint';

/** One parameter tensor: PyTorch dimension order, row-major float32 values. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** The parameters of a SpERT checkpoint under the reference's names. */
export type WeightMap = Map<string, WeightTensor>;

/** Returns the tensor `name` as float32 after checking its shape (-1 = any size). */
export function getWeight(weights: WeightMap, name: string, shape: number[]): Float32Array {
  const t = weights.get(name) ?? legacy(weights, name);
  if (!t) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: missing parameter "${name}" (expected shape [${shape.join(', ')}])`);
  const ok = t.shape.length === shape.length && t.shape.every((d, i) => shape[i] === -1 || d === shape[i]);
  if (!ok) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: parameter "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  if (!(t.data instanceof Float32Array)) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: parameter "${name}" is not a float tensor`);
  return t.data;
}

/** Shape of tensor `name`, or an error naming it. */
export function weightShape(weights: WeightMap, name: string): number[] {
  const t = weights.get(name) ?? legacy(weights, name);
  if (!t) throw new SpertError('INVALID_CHECKPOINT', `checkpoint: missing parameter "${name}"`);
  return t.shape;
}

// Google-converted checkpoints name LayerNorm parameters gamma/beta.
function legacy(weights: WeightMap, name: string): WeightTensor | undefined {
  if (name.endsWith('LayerNorm.weight')) return weights.get(name.replace(/weight$/, 'gamma'));
  if (name.endsWith('LayerNorm.bias')) return weights.get(name.replace(/bias$/, 'beta'));
  return undefined;
}
