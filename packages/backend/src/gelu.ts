import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuFloats, cpuTensor, installKernels } from './fused-kernels';
import { heapEngine } from './heap-kernels';
import type { WasmBackendLike } from './wasm-types';

// The exact (erf) GELU as one kernel each way. Built from tfjs ops it is 4 kernels forward and,
// through autodiff of erf, 8 more backward (an Exp of the whole tensor among them): the fused
// kernels took ~75 ms off a bert-base training step on wasm (tools/bench/encoder.ts --profile).
// erf follows Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7), like tfjs-core's own erf.

const GELU = 'SpertGelu';
const GELU_GRAD = 'SpertGeluGrad';

const ERF_P = 0.3275911, A1 = 0.254829592, A2 = -0.284496736, A3 = 1.421413741, A4 = -1.453152027, A5 = 1.061405429;
// module-level aliases: a global lookup inside jest's vm context is slow in hot loops
const exp = Math.exp, abs = Math.abs;

/** Phi(x) = 0.5 (1 + erf(x / sqrt 2)) and exp(-x^2 / 2), the same formulas as the wasm kernel. */
function phi(x: number): [cdf: number, e: number] {
  const e = exp(-0.5 * x * x);
  const v = abs(x) * Math.SQRT1_2;
  const t = 1 / (1 + ERF_P * v);
  const erf = 1 - ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t * e;
  return [0.5 * (1 + (x < 0 ? -erf : erf)), e];
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function geluLoop(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) y[i] = x[i] * phi(x[i])[0];
}

function geluGradLoop(x: Float32Array, dy: Float32Array, dx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const [cdf, e] = phi(x[i]);
    dx[i] = dy[i] * (cdf + x[i] * e * INV_SQRT_2PI);
  }
}

const wasmGelu: KernelFunc = ({ inputs, backend }) => {
  const w = backend as unknown as WasmBackendLike;
  const x = inputs.x as TensorInfo;
  const out = w.makeOutput(x.shape, 'float32');
  const [xv, yv] = [x, out].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  const engine = heapEngine(w);
  if (engine != null) engine.geluAt(xv.byteOffset, 0, yv.byteOffset, xv.length);
  else geluLoop(xv, yv);
  return out;
};

const wasmGeluGrad: KernelFunc = ({ inputs, backend }) => {
  const w = backend as unknown as WasmBackendLike;
  const x = inputs.x as TensorInfo, dy = inputs.dy as TensorInfo;
  const out = w.makeOutput(x.shape, 'float32');
  const [xv, dyv, dxv] = [x, dy, out].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  const engine = heapEngine(w);
  if (engine != null) engine.geluAt(xv.byteOffset, dyv.byteOffset, dxv.byteOffset, xv.length);
  else geluGradLoop(xv, dyv, dxv);
  return out;
};

const cpuGelu: KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as TensorInfo;
  const y = new Float32Array(x.shape.reduce((a, d) => a * d, 1));
  geluLoop(cpuFloats(backend, x), y);
  return cpuTensor(backend, x.shape, y);
};

const cpuGeluGrad: KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as TensorInfo;
  const dx = new Float32Array(x.shape.reduce((a, d) => a * d, 1));
  geluGradLoop(cpuFloats(backend, x), cpuFloats(backend, inputs.dy as TensorInfo), dx);
  return cpuTensor(backend, x.shape, dx);
};

/** Registers the fused GELU kernels for the wasm and cpu backends (idempotent); returns what it did. */
export function installFusedGelu(): string[] {
  return installKernels('fused exact GELU and its gradient', { wasm: { [GELU]: wasmGelu, [GELU_GRAD]: wasmGeluGrad }, cpu: { [GELU]: cpuGelu, [GELU_GRAD]: cpuGeluGrad } });
}

const hasKernels = () => tf.getKernel(GELU, tf.getBackend()) != null;

// (customGrad passes the inputs then the save function, typed as one rest parameter)
const geluOp = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  (args[1] as tf.GradSaveFunc)([x]);
  const value = hasKernels()
    ? tf.engine().runKernel(GELU, { x }, {}) as tf.Tensor
    : tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
  return {
    value,
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [xs] = saved;
      const g = dy as tf.Tensor;
      if (hasKernels()) return tf.engine().runKernel(GELU_GRAD, { x: xs, dy: g }, {}) as tf.Tensor;
      return tf.tidy(() => {
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(xs, Math.SQRT1_2)), 1), 0.5);
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(xs), -0.5)), INV_SQRT_2PI);
        return tf.mul(g, tf.add(cdf, tf.mul(xs, pdf)));
      });
    },
  };
});

/** Exact GELU x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (float32), differentiable; one kernel each way on wasm and cpu. */
export function gelu<T extends tf.Tensor>(x: T): T {
  installFusedGelu();
  return geluOp(x.dtype === 'float32' ? x : tf.cast(x, 'float32')) as T;
}
