import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SpertError } from '@spert/core';
import { cpuFloats, cpuTensor, installKernels } from './fused-kernels';
import { heapEngine } from './heap-kernels';
import type { WasmBackendLike } from './wasm-types';

// Max-pooling of word-piece ranges (SpERT's span and context representations) as one kernel each
// way. The gradient recomputes each maximum's position from the saved input instead of keeping an
// argmax tensor. On the wasm heap the SIMD kernel of assembly/kernels.ts runs (a linear scan of
// each range, 4 features at a time); the JS loops below (cpu, and every other backend through
// dataSync) do the same comparisons in the same order: the same bits everywhere. The loops
// replaced a sparse table in JS (@spert/entity-head), about 2 ms of a 256x4 training step.

const POOL = 'SpertSpanMaxPool';
const POOL_GRAD = 'SpertSpanMaxPoolGrad';

/** Shapes of one pooling: x [B, T, H], B * S ranges. */
interface PoolShape {
  B: number;
  T: number;
  H: number;
  S: number;
}

/**
 * For range i of row b = floor(i / S), the position in [start, end) of each feature's maximum
 * (the first on ties: strict >), handed to `visit(i, j, t, value)` for j = 0 .. H - 1; an empty
 * range visits nothing. Scans positions in the outer loop, features inside (cache order).
 */
function forEachMax(x: Float32Array, ranges: Int32Array, { B, T, H, S }: PoolShape, best: Float32Array, arg: Int32Array, visit: (i: number, start: number, end: number) => void): void {
  for (let i = 0; i < B * S; i++) {
    const start = ranges[2 * i], end = ranges[2 * i + 1];
    if (start >= end) { visit(i, start, end); continue; }
    const row = Math.floor(i / S) * T;
    let p = (row + start) * H;
    for (let j = 0; j < H; j++) { best[j] = x[p + j]; arg[j] = start; }
    for (let t = start + 1; t < end; t++) {
      p = (row + t) * H;
      for (let j = 0; j < H; j++) {
        const v = x[p + j];
        if (v > best[j]) { best[j] = v; arg[j] = t; }
      }
    }
    visit(i, start, end);
  }
}

/** The maxima [B * S, H] of each range (zeros for an empty one). */
function spanMaxPoolLoop(x: Float32Array, ranges: Int32Array, s: PoolShape, out: Float32Array): void {
  const best = new Float32Array(s.H), arg = new Int32Array(s.H);
  forEachMax(x, ranges, s, best, arg, (i, start, end) => {
    if (start >= end) out.fill(0, i * s.H, i * s.H + s.H);
    else out.set(best, i * s.H);
  });
}

/** dh [B, T, H]: zeros, then dy[i, j] added (float32) at each maximum's position, i then j ascending. */
function spanMaxPoolGradLoop(x: Float32Array, ranges: Int32Array, dy: Float32Array, s: PoolShape, dh: Float32Array): void {
  const { T, H, S } = s;
  dh.fill(0);
  const best = new Float32Array(H), arg = new Int32Array(H);
  forEachMax(x, ranges, s, best, arg, (i, start, end) => {
    if (start >= end) return;
    const row = Math.floor(i / S) * T;
    for (let j = 0; j < H; j++) dh[(row + arg[j]) * H + j] += dy[i * H + j];
  });
}

interface PoolAttrs {
  ranges: Int32Array;
  S: number;
}

const shapeOf = (x: TensorInfo, a: PoolAttrs): PoolShape => ({ B: x.shape[0], T: x.shape[1], H: x.shape[2], S: a.S });

// Runs the wasm kernel with the ranges copied into the heap, or the JS loop when the heap is out of reach.
function onHeap(w: WasmBackendLike, a: PoolAttrs, run: (engine: NonNullable<ReturnType<typeof heapEngine>>, ranges: number) => void, loop: () => void): void {
  const engine = heapEngine(w);
  if (engine == null) { loop(); return; }
  const block = w.wasm._malloc(4 * a.ranges.length + 4);
  if (block === 0) throw new SpertError('OUT_OF_MEMORY', `${POOL}: could not allocate ${a.ranges.length} range bounds`);
  try {
    new Int32Array(engine.memory.buffer, block, a.ranges.length).set(a.ranges);
    run(engine, block);
  } finally {
    w.wasm._free(block);
  }
}

const wasmPool: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const x = inputs.x as TensorInfo;
  const a = attrs as unknown as PoolAttrs;
  const s = shapeOf(x, a);
  const out = w.makeOutput([s.B, s.S, s.H], 'float32');
  // views only inside: the range table's allocation may grow (and detach) an unshared heap
  const views = () => [x, out].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  onHeap(w, a, (engine, ranges) => {
    const [xv, ov] = views();
    engine.kernels.spanMaxPool(xv.byteOffset, ranges, 0, ov.byteOffset, s.B, s.T, s.H, s.S, 0);
  }, () => {
    const [xv, ov] = views();
    spanMaxPoolLoop(xv, a.ranges, s, ov);
  });
  return out;
};

const wasmPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const x = inputs.x as TensorInfo, dy = inputs.dy as TensorInfo;
  const a = attrs as unknown as PoolAttrs;
  const s = shapeOf(x, a);
  const out = w.makeOutput(x.shape, 'float32');
  const views = () => [x, dy, out].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  onHeap(w, a, (engine, ranges) => {
    const [xv, dyv, ov] = views();
    engine.kernels.spanMaxPool(xv.byteOffset, ranges, dyv.byteOffset, ov.byteOffset, s.B, s.T, s.H, s.S, 1);
  }, () => {
    const [xv, dyv, ov] = views();
    spanMaxPoolGradLoop(xv, a.ranges, dyv, s, ov);
  });
  return out;
};

const cpuPool: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const a = attrs as unknown as PoolAttrs;
  const s = shapeOf(x, a);
  const out = new Float32Array(s.B * s.S * s.H);
  spanMaxPoolLoop(cpuFloats(backend, x), a.ranges, s, out);
  return cpuTensor(backend, [s.B, s.S, s.H], out);
};

const cpuPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs.x as TensorInfo;
  const a = attrs as unknown as PoolAttrs;
  const s = shapeOf(x, a);
  const dh = new Float32Array(s.B * s.T * s.H);
  spanMaxPoolGradLoop(cpuFloats(backend, x), a.ranges, cpuFloats(backend, inputs.dy as TensorInfo), s, dh);
  return cpuTensor(backend, x.shape, dh);
};

/** Registers the span max-pooling kernels for the wasm and cpu backends (idempotent); returns what it did. */
export function installFusedSpanMaxPool(): string[] {
  return installKernels('span max-pooling and its gradient', { wasm: { [POOL]: wasmPool, [POOL_GRAD]: wasmPoolGrad }, cpu: { [POOL]: cpuPool, [POOL_GRAD]: cpuPoolGrad } });
}

/**
 * Element-wise max of hidden states [B, T, H] over B * S word-piece ranges [start, end) of their
 * row (`ranges`: B * S pairs, row b = floor(i / S)): [B, S, H]; an empty range gives zeros. The
 * gradient goes to each maximum's position only, the first on ties, as torch's max does.
 * Differentiable; one kernel each way on wasm and cpu, the same loops through dataSync elsewhere.
 */
export function spanMaxPool(hidden: tf.Tensor3D, ranges: Int32Array, S: number): tf.Tensor3D {
  installFusedSpanMaxPool();
  if (hidden.rank !== 3 || hidden.dtype !== 'float32') throw new SpertError('INVALID_INPUT', `spanMaxPool: hidden must be float32 [B,T,H], got ${hidden.dtype} [${hidden.shape.join(', ')}]`);
  const [B, T, H] = hidden.shape;
  if (!Number.isInteger(S) || S < 0 || ranges.length !== 2 * B * S) throw new SpertError('INVALID_INPUT', `spanMaxPool: expected ${B} x ${S} ranges (${2 * B * S} bounds), got ${ranges.length} bounds`);
  for (let i = 0; i < B * S; i++) {
    const start = ranges[2 * i], end = ranges[2 * i + 1];
    if (!(start >= 0 && start <= end && end <= T)) throw new SpertError('INVALID_INPUT', `spanMaxPool: range [${start}, ${end}) at batch ${Math.floor(i / S)}, span ${i % S} is not inside [0, ${T})`);
  }
  const attrs = { ranges, S } as unknown as tf.NamedAttrMap;
  const shape: PoolShape = { B, T, H, S };
  const fused = tf.getKernel(POOL, tf.getBackend()) != null;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor3D;
    (args[1] as tf.GradSaveFunc)([x]);
    let value: tf.Tensor;
    if (fused) {
      value = tf.engine().runKernel(POOL, { x }, attrs) as tf.Tensor;
    } else {
      const out = new Float32Array(B * S * H);
      spanMaxPoolLoop(x.dataSync() as Float32Array, ranges, shape, out);
      value = tf.tensor3d(out, [B, S, H]);
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs] = saved;
        if (fused) return tf.engine().runKernel(POOL_GRAD, { x: xs, dy: dy as tf.Tensor }, attrs) as tf.Tensor;
        const dh = new Float32Array(B * T * H);
        spanMaxPoolGradLoop(xs.dataSync() as Float32Array, ranges, (dy as tf.Tensor).dataSync() as Float32Array, shape, dh);
        return tf.tensor3d(dh, [B, T, H]);
      },
    };
  });
  return op(hidden) as tf.Tensor3D;
}
