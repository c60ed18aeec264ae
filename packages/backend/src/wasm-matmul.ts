import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { GemmShape } from './gemm-engine';
import { heapEngine } from './heap-kernels';
import { isWrapped, wrapKernel } from './wrap-kernel';
import type { WasmBackendLike } from './wasm-types';
import { SpertError, internalError } from '@spert/core';

// The wasm BatchMatMul and _FusedMatMul kernels run on this package's GemmEngine (gemm-engine.ts)
// instead of tfjs-backend-wasm's. Measured problems of the shipped kernels (tools/bench/kernels.ts):
// a transposed operand took a scalar loop (0.2-0.4 GFLOP/s); XNNPACK repacks every right operand it
// has not seen (4-8x the product itself, and in training every operand is new); batched products
// (attention) took a naive loop at ~1 GFLOP/s; and all of it ran on one thread. The engine reads
// transposed layouts through strides, packs 8-column panels only, and splits the work over the
// cores. Cases it does not cover (non-float32 data, batch broadcasting beyond "one or all") keep
// the shipped kernel, with transposed operands materialised first.

type MatMulAttrs = NamedAttrMap & { transposeA?: boolean; transposeB?: boolean; activation?: string; leakyreluAlpha?: number };

function kernel(name: string): KernelConfig {
  const k = tf.getKernel(name, 'wasm');
  if (k == null) throw new SpertError('RUNTIME_UNAVAILABLE', `wasm ${name} kernel is not registered`);
  return k;
}

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

// Activations of _FusedMatMul as the kernels tfjs would run for them.
function activate(activation: string, x: TensorInfo, attrs: MatMulAttrs, inputs: NamedTensorInfoMap, backend: unknown): TensorInfo {
  const run = (name: string, kInputs: NamedTensorInfoMap, kAttrs: NamedAttrMap = {}) =>
    kernel(name).kernelFunc({ inputs: kInputs, backend: backend as never, attrs: kAttrs }) as TensorInfo;
  switch (activation) {
    case 'relu': return run(tf.Relu, { x });
    case 'relu6': return run(tf.Relu6, { x });
    case 'elu': return run(tf.Elu, { x });
    case 'sigmoid': return run(tf.Sigmoid, { x });
    case 'leakyrelu': return run(tf.LeakyRelu, { x }, { alpha: attrs.leakyreluAlpha ?? 0.2 });
    case 'prelu': return run(tf.Prelu, { x, alpha: inputs.preluActivationWeights as TensorInfo });
    default: throw internalError(`_FusedMatMul: unknown activation "${activation}"`);
  }
}

function wrapMatMul(original: KernelConfig, fused: boolean): KernelFunc {
  return (args) => {
    const attrs = args.attrs as MatMulAttrs;
    const { transposeA = false, transposeB = false } = attrs;
    const backend = args.backend as unknown as WasmBackendLike;
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const bias = fused ? (args.inputs.bias as TensorInfo | undefined) : undefined;
    const ra = a.shape.length, rb = b.shape.length;
    const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const batchShapeA = a.shape.slice(0, -2), batchShapeB = b.shape.slice(0, -2);
    const batchA = size(batchShapeA), batchB = size(batchShapeB);
    const batch = Math.max(batchA, batchB);
    const outBatchShape = tf.broadcast_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
    const temporaries: TensorInfo[] = [];
    try {
      const engine = heapEngine(backend);
      const engineFits = engine != null && a.dtype === 'float32' && b.dtype === 'float32' && (batchA === batchB || batchA === 1 || batchB === 1) &&
        size(outBatchShape) === batch;
      if (!engineFits) {
        const inputs: NamedTensorInfoMap = { ...args.inputs };
        const t = (x: TensorInfo, r: number) => {
          const y = kernel(tf.Transpose).kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm: swapLastTwo(r) } }) as TensorInfo;
          temporaries.push(y);
          return y;
        };
        if (transposeA) inputs.a = t(a, ra);
        if (transposeB) inputs.b = t(b, rb);
        return original.kernelFunc({ inputs, backend: args.backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      }
      // a bias of N values goes into the product; any other broadcastable bias is added after
      const biasInKernel = bias != null && bias.dtype === 'float32' && size(bias.shape) === N && bias.shape[bias.shape.length - 1] === N;
      const out = backend.makeOutput([...outBatchShape, M, N], 'float32');
      const shape: GemmShape = { batch, M, K, N, transposeA, transposeB, aBatched: batchA > 1, bBatched: batchB > 1 };
      // Heap views only after every allocation: growing an unshared heap detaches earlier views.
      const at = (t: TensorInfo) => (backend.typedArrayFromHeap(t) as Float32Array).byteOffset;
      engine.gemmAt({ a: at(a), b: at(b), bias: biasInKernel ? at(bias) : 0, out: at(out) }, shape);
      let result = out;
      if (bias != null && !biasInKernel) {
        temporaries.push(result);
        result = kernel(tf.Add).kernelFunc({ inputs: { a: result, b: bias }, backend: args.backend, attrs: {} }) as TensorInfo;
      }
      const activation = fused ? attrs.activation ?? 'linear' : 'linear';
      if (activation !== 'linear') {
        temporaries.push(result);
        result = activate(activation, result, attrs, args.inputs, args.backend);
      }
      return result;
    } finally {
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

/** Replaces the wasm BatchMatMul and _FusedMatMul kernels with this package's multi-threaded SIMD products; idempotent. */
export function installWasmMatMulFix(): string[] {
  const done: string[] = [];
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    if (wrapKernel(name, 'wasm', (original) => wrapMatMul(original, name === tf._FusedMatMul))) done.push(name);
  }
  installed ||= isWasmMatMulFixed();
  return done.length > 0 ? [`${done.join(', ')} (wasm): own SIMD kernels on the tfjs heap, any transpose read in place, split over the matMul threads`] : [];
}

// Whether our wrappers were installed: a profiler may wrap them again (isWasmMatMulFixed then says
// no), but they still run underneath.
let installed = false;

/** True once the wasm matMul kernels were replaced by this package's (they take operands of any rank from 2 on). */
export function wasmMatMulFixInstalled(): boolean {
  return installed;
}

/** True when the wasm matMul kernels are this package's wrappers. */
export function isWasmMatMulFixed(): boolean {
  return [tf.BatchMatMul, tf._FusedMatMul].every((n) => isWrapped(n, 'wasm'));
}
