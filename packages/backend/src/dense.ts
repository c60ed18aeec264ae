import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { installKernels } from './fused-kernels';
import { heapEngine } from './heap-kernels';
import { wasmMatMulFixInstalled } from './wasm-matmul';
import type { WasmBackendLike } from './wasm-types';

// A dense layer's backward pass as one kernel on wasm: tfjs differentiates tf.fused.matMul into
// two products (dy W^T, x^T dy), a Sum for the bias and the reshapes around them, and our engine
// split each product between the threads separately: two hand-offs, each product too small at
// SpERT's sizes (a few hundred microseconds) to keep both threads busy to its end. Here both
// products go into one job (GemmEngine.gemmManyAt) and the bias gradient is the column sums the
// wasm Sum fix computes: every value is what the op chain gives, bit for bit (tested).
// Registered for wasm only: other backends differentiate tf.fused.matMul as before.

const DENSE_GRAD = 'SpertDenseGrad';

const wasmDenseGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const { x, w: weight, dy } = inputs as Record<string, TensorInfo>;
  const withBias = (attrs as { bias: boolean }).bias;
  const [rows, inSize] = x.shape, out = weight.shape[1];
  const outs = [w.makeOutput(x.shape, 'float32'), w.makeOutput(weight.shape, 'float32'), ...(withBias ? [w.makeOutput([out], 'float32')] : [])];
  const engine = heapEngine(w);
  if (engine == null) throw new Error('SpertDenseGrad: the wasm heap is out of reach (dense() checks this first)');
  // views only after every output is made: growing an unshared heap detaches earlier views
  const [xv, wv, dyv, dxv, dwv, dbv] = [x, weight, dy, ...outs].map((t) => (w.typedArrayFromHeap(t) as Float32Array).byteOffset);
  engine.gemmManyAt([
    // dx = dy W^T: [rows, out] x ([in, out] read transposed)
    { p: { a: dyv, b: wv, bias: 0, out: dxv }, s: { batch: 1, M: rows, K: out, N: inSize, transposeA: false, transposeB: true, aBatched: false, bBatched: false } },
    // dW = x^T dy: ([rows, in] read transposed) x [rows, out]
    { p: { a: xv, b: dyv, bias: 0, out: dwv }, s: { batch: 1, M: inSize, K: rows, N: out, transposeA: true, transposeB: false, aBatched: false, bBatched: false } },
  ]);
  if (withBias) engine.kernels.columnSums(dyv, dbv, rows, out);
  return outs;
};

/** Registers the fused dense-layer gradient for the wasm backend (idempotent); returns what it did. */
export function installFusedDenseGrad(): string[] {
  return installKernels('dense-layer gradient as one job', { wasm: { [DENSE_GRAD]: wasmDenseGrad } });
}

/** Whether dense() runs its backward pass as one kernel here (the wasm backend with its heap in reach). */
export function hasFusedDenseGrad(): boolean {
  if (tf.getKernel(DENSE_GRAD, tf.getBackend()) == null || !wasmMatMulFixInstalled()) return false;
  return heapEngine(tf.backend() as unknown as WasmBackendLike) != null;
}

/**
 * x W + b for x [rows, in], W [in, out] (TensorFlow layout), b [out] or none: tf.fused.matMul,
 * whose gradient is one kernel where hasFusedDenseGrad() (the same values as tfjs's gradient).
 */
export function dense(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (!hasFusedDenseGrad() || x.dtype !== 'float32' || weight.dtype !== 'float32') return tf.fused.matMul({ a: x, b: weight, bias }) as tf.Tensor2D;
  const attrs = { bias: bias != null };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi] = args as tf.Tensor2D[];
    const bi = bias != null ? (args[2] as tf.Tensor1D) : undefined;
    (args[args.length - 1] as tf.GradSaveFunc)([xi, wi]);
    return {
      // the kernel itself: our wasm matMul takes 2-D operands, so tf.fused.matMul's reshapes to 3-D
      // and back (4 kernels a call) are not needed
      value: tf.engine().runKernel(tf._FusedMatMul, bi != null ? { a: xi, b: wi, bias: bi } : { a: xi, b: wi }, { transposeA: false, transposeB: false, activation: 'linear' }) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], [sx, sw]: tf.Tensor[]) => tf.engine().runKernel(DENSE_GRAD, { x: sx, w: sw, dy: dy as tf.Tensor }, attrs) as tf.Tensor[],
    };
  });
  return (bias != null ? op(x, weight, bias) : op(x, weight)) as tf.Tensor2D;
}
