import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendLike } from './wasm-types';

// Two measured problems of the wasm BatchMatMul/_FusedMatMul kernels (tools/bench/kernels.ts):
// 1. a transposed operand goes through a scalar loop (0.2-0.4 GFLOP/s) instead of XNNPACK;
// 2. XNNPACK packs the right operand B (K x N) into a new operator for every B it has not seen,
//    which costs 4-8x the product itself when B is a fresh tensor, and in training every B is
//    fresh (weights change each step, gradients are new). Packing is cheap when B is small, so
//    when N > M (the usual case: M = tokens in the batch) we compute C^T = B^T A^T, which packs
//    the small A^T instead. Transposes go through the fast wasm Transpose kernel.

type MatMulAttrs = NamedAttrMap & { transposeA?: boolean; transposeB?: boolean; activation?: string };

const wrapped = new WeakSet<KernelFunc>();
let plainBatchMatMul: KernelConfig | undefined;

function kernel(name: string): KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (k == null) throw new Error(`wasm ${name} kernel is not registered`);
  return k;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

function wrapMatMul(original: KernelConfig, fused: boolean): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as MatMulAttrs;
    const { transposeA = false, transposeB = false } = attrs;
    const backend = args.backend as unknown as WasmBackendLike;
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const temporaries: TensorInfo[] = [];
    const run = (name: string, inputs: NamedTensorInfoMap, kAttrs: NamedAttrMap): TensorInfo => {
      const t = kernel(name).kernelFunc({ inputs, backend: args.backend, attrs: kAttrs }) as TensorInfo;
      temporaries.push(t);
      return t;
    };
    try {
      const ra = a.shape.length, rb = b.shape.length;
      const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
      const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
      const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
      const bias = args.inputs.bias as TensorInfo | undefined;
      const swappable = size(a.shape.slice(0, -2)) === 1 && size(b.shape.slice(0, -2)) === 1 && N > M &&
        (!fused || ((attrs.activation ?? 'linear') === 'linear' && args.inputs.preluActivationWeights == null && (bias == null || bias.shape.length === 1)));
      // Always swapping (also for weights reused across inference calls) measured faster: the
      // operator cache does not keep the packed weights of a 12-layer model alive between calls.
      if (swappable && plainBatchMatMul != null) {
        const a2 = transposeB ? run(tf.Reshape, { x: b }, { shape: [N, K] })
          : run(tf.Transpose, { x: run(tf.Reshape, { x: b }, { shape: [K, N] }) }, { perm: [1, 0] });
        const b2 = transposeA ? run(tf.Reshape, { x: a }, { shape: [K, M] })
          : run(tf.Transpose, { x: run(tf.Reshape, { x: a }, { shape: [M, K] }) }, { perm: [1, 0] });
        const ct = plainBatchMatMul.kernelFunc({ inputs: { a: a2, b: b2 }, backend: args.backend, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
        temporaries.push(ct);
        let c = run(tf.Transpose, { x: run(tf.Reshape, { x: ct }, { shape: [N, M] }) }, { perm: [1, 0] });
        if (bias != null) c = run(tf.Add, { a: c, b: bias }, {});
        const rank = Math.max(ra, rb);
        const out = kernel(tf.Reshape).kernelFunc({ inputs: { x: c }, backend: args.backend, attrs: { shape: [...Array(rank - 2).fill(1), M, N] } }) as TensorInfo;
        return out;
      }
      const inputs: NamedTensorInfoMap = { ...args.inputs };
      if (transposeA) inputs.a = run(tf.Transpose, { x: a }, { perm: swapLastTwo(ra) });
      if (transposeB) inputs.b = run(tf.Transpose, { x: b }, { perm: swapLastTwo(rb) });
      return original.kernelFunc({ inputs, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
  wrapped.add(kernelFunc);
  return { ...original, kernelFunc };
}

/** Replaces the wasm BatchMatMul and _FusedMatMul kernels with the layouts XNNPACK runs fast; idempotent. */
export function installWasmMatMulFix(): string[] {
  const done: string[] = [];
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, 'wasm');
    if (original == null || wrapped.has(original.kernelFunc)) continue;
    if (name === tf.BatchMatMul) plainBatchMatMul = original;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(wrapMatMul(original, name === tf._FusedMatMul));
    done.push(name);
  }
  return done.length > 0 ? [`${done.join(', ')} (wasm): transposed operands materialised, small operand packed by XNNPACK (C^T = B^T A^T when N > M)`] : [];
}

/** True when the wasm matMul kernels are this package's wrappers. */
export function isWasmMatMulFixed(): boolean {
  return [tf.BatchMatMul, tf._FusedMatMul].every((n) => {
    const k = tf.getKernel(n, 'wasm');
    return k != null && wrapped.has(k.kernelFunc);
  });
}
