import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-types';
import { wrapKernel } from './wrap-kernel';

// Two problems of the wasm Transpose kernel, both on the training path:
// - a no-op permutation (the gradient of gather uses two) is answered with a full copy: two extra
//   [vocab, hidden] buffers (2 x 85 MiB for bert-base-cased) on a heap wasm32 caps at 4 GiB.
//   A permutation that only moves size-1 dimensions keeps memory order: share the buffer.
// - rank > 4 falls back to a generic loop about 300x slower than rank <= 4 (53 ms vs 0.16 ms
//   for BERT's [B, T, 3, heads, dh] -> [3, B, heads, T, dh]). Merging axes that stay adjacent and
//   moving one axis at a time (each move is at most 4 merged blocks) keeps every call at rank <= 4.

interface Plan { shape: number[]; perm: number[] }

/** Drops size-1 axes and merges axes that stay adjacent under the permutation. */
function simplify(shape: number[], perm: number[]): Plan {
  const keptAxes = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  const rank = new Map(keptAxes.map((a, i) => [a, i]));
  const p = perm.filter((a) => shape[a] !== 1).map((a) => rank.get(a)!);
  const s = keptAxes.map((a) => shape[a]);
  // Runs of p with consecutive values become one axis.
  const runs: number[][] = [];
  for (const a of p) {
    const last = runs[runs.length - 1];
    if (last != null && last[last.length - 1] + 1 === a) last.push(a);
    else runs.push([a]);
  }
  const byStart = [...runs].sort((x, y) => x[0] - y[0]);
  const newIndex = new Map(byStart.map((r, i) => [r[0], i]));
  return {
    shape: byStart.map((r) => r.reduce((acc, a) => acc * s[a], 1)),
    perm: runs.map((r) => newIndex.get(r[0])!),
  };
}

function wrapTranspose(original: KernelConfig): KernelFunc {
  const kernelFunc: KernelFunc = (args) => {
    const x = args.inputs.x as TensorInfo;
    const perm = (args.attrs as { perm: number[] }).perm;
    if (x.dtype === 'string') return original.kernelFunc(args);
    const backend = args.backend as unknown as WasmBackendLike;
    const reshape = (t: TensorInfo, shape: number[]) =>
      tf.getKernel(tf.Reshape, 'wasm')!.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { shape } }) as TensorInfo;
    const outShape = perm.map((p) => x.shape[p]);
    const plan = simplify(x.shape, perm);
    if (plan.perm.every((p, i) => p === i)) return reshape(x, outShape);
    if (plan.perm.length === perm.length && plan.perm.length <= 4) return original.kernelFunc(args);
    const temporaries: TensorInfo[] = [];
    try {
      let cur = reshape(x, plan.shape);
      temporaries.push(cur);
      if (plan.perm.length <= 4) {
        cur = original.kernelFunc({ inputs: { x: cur }, backend: args.backend, attrs: { perm: plan.perm } }) as TensorInfo;
        temporaries.push(cur);
      } else {
        const order = plan.shape.map((_, i) => i);
        for (let t = 0; t < plan.perm.length; t++) {
          const i = order.indexOf(plan.perm[t]);
          if (i === t) continue;
          const move = order.map((_, k) => k);
          move.splice(i, 1);
          move.splice(t, 0, i);
          cur = kernelFunc({ inputs: { x: cur }, backend: args.backend, attrs: { perm: move } }) as TensorInfo;
          temporaries.push(cur);
          const [axis] = order.splice(i, 1);
          order.splice(t, 0, axis);
        }
      }
      return reshape(cur, outShape);
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  return kernelFunc;
}

/** Makes the wasm Transpose kernel share buffers for no-op permutations and avoid its slow rank > 4 path (idempotent). */
export function installWasmTransposeNoOpFix(): string[] {
  if (!wrapKernel(tf.Transpose, 'wasm', wrapTranspose)) return [];
  return ['Transpose (wasm): no-op permutations share the buffer; rank > 4 split into rank <= 4 moves'];
}
