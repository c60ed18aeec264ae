import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuFloats, cpuTensor, installKernels } from './fused-kernels';
import { heapEngine } from './heap-kernels';
import { SpertError } from '@spert/core';
import type { WasmBackendLike } from './wasm-types';

// LayerNorm over the last axis as one kernel each way. Built from tfjs ops it is 9 kernels forward
// and about 30 backward (broadcast sums, reshapes, the rsqrt and mean gradients): in a 256x4 SpERT
// training step its 9 norms were ~330 of the step's ~1270 kernels, each paying tfjs's per-kernel
// engine work on rows of 256 floats. Statistics, normalisation and the gradients are computed in
// float64 and rounded once, so the kernel is closer to the exact value than the float32 op chain
// (and than torch.nn.LayerNorm's float32 arithmetic). On the wasm heap the SIMD kernels of
// assembly/kernels.ts run (f64x2; the JS loops took ~5x longer); the JS loops below, for the cpu
// backend and a heap out of reach, mirror them operation for operation: the same bits everywhere.

const LN = 'SpertLayerNorm';
const LN_GRAD = 'SpertLayerNormGrad';

// Row sums run 8 float64 accumulators (element i into accumulator i mod 8, combined in a fixed
// order, the tail last): the order of the SIMD kernel's 4 f64x2 vectors, so the JS loops give its
// bits.

/** The sum of x[o .. o + H) in float64 (8 interleaved accumulators). */
function rowSum(x: Float32Array, o: number, H: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  const end8 = o + (H & ~7);
  let i = o;
  for (; i < end8; i += 8) {
    a0 += x[i]; a1 += x[i + 1]; a2 += x[i + 2]; a3 += x[i + 3];
    a4 += x[i + 4]; a5 += x[i + 5]; a6 += x[i + 6]; a7 += x[i + 7];
  }
  let s = ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7));
  for (; i < o + H; i++) s += x[i];
  return s;
}

/** The sum of (x - mean)^2 over x[o .. o + H) in float64 (as rowSum). */
function rowSquares(x: Float32Array, o: number, H: number, mean: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
  const end8 = o + (H & ~7);
  let i = o;
  for (; i < end8; i += 8) {
    const d0 = x[i] - mean, d1 = x[i + 1] - mean, d2 = x[i + 2] - mean, d3 = x[i + 3] - mean;
    const d4 = x[i + 4] - mean, d5 = x[i + 5] - mean, d6 = x[i + 6] - mean, d7 = x[i + 7] - mean;
    a0 += d0 * d0; a1 += d1 * d1; a2 += d2 * d2; a3 += d3 * d3;
    a4 += d4 * d4; a5 += d5 * d5; a6 += d6 * d6; a7 += d7 * d7;
  }
  let s = ((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7));
  for (; i < o + H; i++) { const d = x[i] - mean; s += d * d; }
  return s;
}

/** 1 / sqrt(var + eps) of the row at o whose mean is given (biased variance). */
const rowRstd = (x: Float32Array, o: number, H: number, mean: number, eps: number) => 1 / Math.sqrt(rowSquares(x, o, H, mean) / H + eps);

/** y = (x - mean) / sqrt(var + eps) * gamma + beta per row of H floats (biased variance, float64). */
function layerNormLoop(x: Float32Array, gamma: Float32Array, beta: Float32Array, eps: number, y: Float32Array): void {
  const H = gamma.length;
  for (let o = 0; o < x.length; o += H) {
    const mean = rowSum(x, o, H) / H;
    const rstd = rowRstd(x, o, H, mean, eps);
    for (let i = 0; i < H; i++) y[o + i] = (x[o + i] - mean) * rstd * gamma[i] + beta[i];
  }
}

/**
 * The gradients of layerNormLoop given dy: dx per row (the statistics recomputed as the forward
 * pass computes them), dgamma and dbeta summed over rows in float64.
 */
function layerNormGradLoop(x: Float32Array, gamma: Float32Array, dy: Float32Array, eps: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array): void {
  const H = gamma.length;
  const sg = new Float64Array(H), sb = new Float64Array(H), xhat = new Float64Array(H), g = new Float64Array(H);
  for (let o = 0; o < x.length; o += H) {
    const mean = rowSum(x, o, H) / H;
    const rstd = rowRstd(x, o, H, mean, eps);
    for (let i = 0; i < H; i++) {
      const xh = (x[o + i] - mean) * rstd, d = dy[o + i];
      xhat[i] = xh;
      g[i] = d * gamma[i];
      sg[i] += d * xh;
      sb[i] += d;
    }
    // dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy gamma
    let m0 = 0, m1 = 0, m2 = 0, m3 = 0, x0 = 0, x1 = 0, x2 = 0, x3 = 0;
    const end4 = H & ~3;
    let i = 0;
    for (; i < end4; i += 4) {
      m0 += g[i]; m1 += g[i + 1]; m2 += g[i + 2]; m3 += g[i + 3];
      x0 += g[i] * xhat[i]; x1 += g[i + 1] * xhat[i + 1]; x2 += g[i + 2] * xhat[i + 2]; x3 += g[i + 3] * xhat[i + 3];
    }
    let mg = (m0 + m2) + (m1 + m3), mgx = (x0 + x2) + (x1 + x3);
    for (; i < H; i++) { mg += g[i]; mgx += g[i] * xhat[i]; }
    mg /= H;
    mgx /= H;
    for (let j = 0; j < H; j++) dx[o + j] = rstd * (g[j] - mg - xhat[j] * mgx);
  }
  dgamma.set(sg);
  dbeta.set(sb);
}

const epsOf = (attrs: unknown) => (attrs as { eps: number }).eps;
const size = (shape: number[]) => shape.reduce((a, d) => a * d, 1);

const wasmLayerNorm: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
  const out = w.makeOutput(x.shape, 'float32');
  // views only after every output is made: growing an unshared heap detaches earlier views
  const [xv, gv, bv, yv] = [x, gamma, beta, out].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  const engine = heapEngine(w);
  if (engine != null) engine.kernels.layerNorm(xv.byteOffset, gv.byteOffset, bv.byteOffset, yv.byteOffset, xv.length / gv.length, gv.length, epsOf(attrs));
  else layerNormLoop(xv, gv, bv, epsOf(attrs), yv);
  return out;
};

const wasmLayerNormGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const { x, gamma, dy } = inputs as Record<string, TensorInfo>;
  const outs = [w.makeOutput(x.shape, 'float32'), w.makeOutput(gamma.shape, 'float32'), w.makeOutput(gamma.shape, 'float32')];
  const engine = heapEngine(w);
  const H = size(gamma.shape);
  const scratch = engine == null ? 0 : w.wasm._malloc(16 * H + 16);
  if (engine != null && scratch === 0) throw new SpertError('OUT_OF_MEMORY', `SpertLayerNormGrad: could not allocate ${16 * H} bytes of scratch`);
  try {
    const [xv, gv, dyv, dxv, dgv, dbv] = [x, gamma, dy, ...outs].map((t) => w.typedArrayFromHeap(t) as Float32Array);
    if (engine != null) {
      engine.kernels.layerNormGrad(xv.byteOffset, gv.byteOffset, dyv.byteOffset, dxv.byteOffset, dgv.byteOffset, dbv.byteOffset, xv.length / H, H, epsOf(attrs), Math.ceil(scratch / 16) * 16);
    } else {
      layerNormGradLoop(xv, gv, dyv, epsOf(attrs), dxv, dgv, dbv);
    }
  } finally {
    if (scratch !== 0) w.wasm._free(scratch);
  }
  return outs;
};

const cpuLayerNorm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as Record<string, TensorInfo>;
  const y = new Float32Array(size(x.shape));
  layerNormLoop(cpuFloats(backend, x), cpuFloats(backend, gamma), cpuFloats(backend, beta), epsOf(attrs), y);
  return cpuTensor(backend, x.shape, y);
};

const cpuLayerNormGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, dy } = inputs as Record<string, TensorInfo>;
  const dx = new Float32Array(size(x.shape)), dg = new Float32Array(size(gamma.shape)), db = new Float32Array(size(gamma.shape));
  layerNormGradLoop(cpuFloats(backend, x), cpuFloats(backend, gamma), cpuFloats(backend, dy), epsOf(attrs), dx, dg, db);
  return [cpuTensor(backend, x.shape, dx), cpuTensor(backend, gamma.shape, dg), cpuTensor(backend, gamma.shape, db)];
};

/** Registers the fused LayerNorm kernels for the wasm and cpu backends (idempotent); returns what it did. */
export function installFusedLayerNorm(): string[] {
  return installKernels('fused LayerNorm and its gradient', { wasm: { [LN]: wasmLayerNorm, [LN_GRAD]: wasmLayerNormGrad }, cpu: { [LN]: cpuLayerNorm, [LN_GRAD]: cpuLayerNormGrad } });
}

const hasKernels = () => tf.getKernel(LN, tf.getBackend()) != null;

/** LayerNorm from tfjs ops (float32 throughout), for backends without the fused kernels. */
export function layerNormOps(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor2D {
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centered = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centered), -1, true);
    return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), gamma), beta) as tf.Tensor2D;
  });
}

// one customGrad per eps: customGrad's function sees tensors only
const ops = new Map<number, (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor>();

function fusedOp(eps: number): (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor {
  let op = ops.get(eps);
  if (op == null) {
    // (customGrad passes the inputs then the save function, typed as one rest parameter)
    op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [x, gamma, beta] = args as tf.Tensor[];
      (args[3] as tf.GradSaveFunc)([x, gamma]);
      return {
        value: tf.engine().runKernel(LN, { x, gamma, beta }, { eps }) as tf.Tensor,
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
          const [xs, gs] = saved;
          return tf.engine().runKernel(LN_GRAD, { x: xs, gamma: gs, dy: dy as tf.Tensor }, { eps }) as tf.Tensor[];
        },
      };
    }) as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
    ops.set(eps, op);
  }
  return op;
}

/**
 * LayerNorm over the last axis with biased variance, as torch.nn.LayerNorm (gamma and beta [H]),
 * differentiable; one kernel each way on wasm and cpu (float64 inside), the op chain elsewhere.
 */
export function layerNorm(x: tf.Tensor2D, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor2D {
  installFusedLayerNorm();
  const H = x.shape[1];
  if (!hasKernels() || x.dtype !== 'float32' || gamma.dtype !== 'float32' || beta.dtype !== 'float32' || gamma.size !== H || beta.size !== H) {
    return layerNormOps(x, gamma, beta, eps);
  }
  const flat = (t: tf.Tensor) => (t.rank === 1 ? t : tf.reshape(t, [H]));
  return fusedOp(eps)(x, flat(gamma), flat(beta)) as tf.Tensor2D;
}
