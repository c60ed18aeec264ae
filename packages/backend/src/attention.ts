import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { dropoutPlan, rngWordAt, SpertError } from '@spert/core';
import { cpuFloats, cpuTensor, installKernels } from './fused-kernels';
import type { AttentionPlan } from './gemm-engine';
import { heapEngine } from './heap-kernels';
import type { WasmBackendLike } from './wasm-types';

// Multi-head self-attention of packed sentences as one kernel each way. Built from ops, an encoder
// layer's attention on packed tokens was 18 kernels forward (unpack, reshape and transpose of q, k
// and v, the scale, the scores product, the mask, softmax, dropout, the context product, its
// transpose and the pack) and about twice that backward, ran its products and softmax on the
// padded layout, and left the second thread idle (each head's products are too small to split).
// Here each (sentence, head) is one unit of work: its scores on its own tokens, softmax, dropout and
// products, shared out over the engine's threads. Padding keys have probability exactly 0 in the
// padded computation, so dropping them changes no product; the dropout masks are those of the
// padded [B, heads, T, T] tensor. On the wasm heap assembly/kernels.ts attentionChunks runs; the JS
// loops below (cpu backend, or a heap out of reach) mirror it operation for operation, every
// float32 step rounded with fround: the same bits everywhere. Only the softmax's exp differs from
// tfjs's (Cephes expf, relative error ~1e-7), so values agree with the op chain to float32
// rounding, not bit for bit.

const ATTENTION = 'SpertAttention';
const ATTENTION_GRAD = 'SpertAttentionGrad';

/** The packed batch an attention call covers and its dropout. */
export interface PackedAttentionOptions {
  /** Token count of each sentence; its tokens are positions [0, length) of its padded row. */
  lengths: readonly number[];
  /** The padded length T (dropout words are those of the padded [B, heads, T, T] probabilities). */
  seqLen: number;
  heads: number;
  /** Dropout rate of the probabilities (0: none). */
  rate: number;
  /** Dropout seed (see @spert/core dropoutInto). */
  seed: number;
}

// the engine's plan as kernel attributes, with the probabilities' size
interface Attrs extends AttentionPlan {
  units: number[];
  probsSize: number;
}

/** The kernel attributes of a call: one unit a sentence and head, the longest first. */
function attentionAttrs(o: PackedAttentionOptions, H: number, rows: number): Attrs {
  const { lengths, seqLen: T, heads, rate, seed } = o;
  if (!Number.isInteger(heads) || heads < 1 || H % heads !== 0) throw new SpertError('INVALID_INPUT', `packedAttention: hidden size ${H} is not a multiple of ${heads} heads`);
  let total = 0;
  lengths.forEach((L, b) => {
    if (!Number.isInteger(L) || L < 1 || L > T) throw new SpertError('INVALID_INPUT', `packedAttention: lengths[${b}] = ${L} is not in [1, ${T}]`);
    total += L;
  });
  if (total !== rows) throw new SpertError('INVALID_INPUT', `packedAttention: the lengths add up to ${total} rows, q has ${rows}`);
  const starts: number[] = [];
  lengths.reduce((row, L) => (starts.push(row), row + L), 0);
  const order = [...lengths.keys()].sort((a, b) => lengths[b] - lengths[a] || a - b);
  const units: number[] = [];
  let probs = 0;
  for (const b of order) {
    for (let h = 0; h < heads; h++) {
      units.push(starts[b], lengths[b], probs, b * heads + h, h);
      probs += lengths[b] * lengths[b];
    }
  }
  const d = dropoutPlan(1, rate, seed);
  return { units, H, dh: H / heads, T, scale: Math.fround(1 / Math.sqrt(H / heads)), dropout: rate > 0, seed: d.seed, threshold: d.threshold, keep: d.keep, probsSize: probs };
}

const fround = Math.fround, floor = Math.floor;
const f32 = (x: number) => fround(x);
const EXP_HI = f32(88.3762626647949), EXP_LO = f32(-87.3365447504), LOG2E = f32(Math.LOG2E);
const C1 = f32(0.693359375), C2 = f32(-2.12194440e-4);
const P0 = f32(1.9875691500e-4), P1 = f32(1.3981999507e-3), P2 = f32(8.3334519073e-3), P3 = f32(4.1665795894e-2), P4 = f32(1.6666665459e-1), P5 = f32(5.0000001201e-1);

/** assembly/kernels.ts expv for one lane (Cephes expf), every float32 step rounded. */
function expf(x: number): number {
  x = Math.max(Math.min(x, EXP_HI), EXP_LO);
  const t = fround(x * LOG2E);
  // f32x4.nearest: round half to even
  const fl = floor(t), d = t - fl;
  const n = d > 0.5 || (d === 0.5 && fl % 2 !== 0) ? fl + 1 : fl;
  let r = fround(x - fround(n * C1));
  r = fround(r - fround(n * C2));
  let p = P0;
  p = fround(fround(p * r) + P1);
  p = fround(fround(p * r) + P2);
  p = fround(fround(p * r) + P3);
  p = fround(fround(p * r) + P4);
  p = fround(fround(p * r) + P5);
  p = fround(fround(fround(p * r) * r) + fround(r + 1));
  return fround(p * 2 ** n);
}

/** c[i, j] = sum over p in order of A(i, p) B(p, j), float32 (assembly/kernels.ts gemm, no bias). */
function gemmLoop(a: Float32Array, ao: number, sai: number, sap: number, b: Float32Array, bo: number, sbp: number, sbj: number,
  c: Float32Array, co: number, ldc: number, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let p = 0; p < K; p++) acc = fround(acc + fround(a[ao + i * sai + p * sap] * b[bo + p * sbp + j * sbj]));
      c[co + i * ldc + j] = acc;
    }
  }
}

/** The JS twin of assembly/kernels.ts attentionUnit for every unit. */
function attentionLoop(mode: 0 | 1, q: Float32Array, k: Float32Array, v: Float32Array, o: Float32Array, probs: Float32Array,
  dq: Float32Array, dk: Float32Array, dv: Float32Array, a: Attrs): void {
  const { units, H, dh, T, scale, dropout, seed, threshold, keep } = a;
  // the words of the padded [B, heads, T, T] tensor
  const masked = (src: Float32Array, so: number, dst: Float32Array, L: number, unit: number) => {
    for (let i = 0; i < L; i++) {
      const start = (unit * T + i) * T;
      for (let j = 0; j < L; j++) dst[i * L + j] = fround(src[so + i * L + j] * (rngWordAt(seed, start + j) >= threshold ? keep : 0));
    }
  };
  for (let u = 0; u < units.length; u += 5) {
    const [row, L, pOff, unit, h] = units.slice(u, u + 5);
    const col = row * H + h * dh;
    const qs = new Float32Array(L * dh);
    for (let i = 0; i < L; i++) for (let p = 0; p < dh; p++) qs[i * dh + p] = fround(q[col + i * H + p] * scale);
    let pa = probs, po = pOff;
    const pd = new Float32Array(L * L);
    if (mode === 0) {
      gemmLoop(qs, 0, dh, 1, k, col, 1, H, probs, pOff, L, L, dh, L);
      for (let i = 0; i < L; i++) {
        const r = pOff + i * L;
        let m = probs[r];
        for (let j = 1; j < L; j++) m = Math.max(m, probs[r + j]);
        let sum = 0;
        for (let j = 0; j < L; j++) sum += probs[r + j] = expf(fround(probs[r + j] - m));
        for (let j = 0; j < L; j++) probs[r + j] = fround(probs[r + j] / sum);
      }
      if (dropout) { masked(probs, pOff, pd, L, unit); pa = pd; po = 0; }
      gemmLoop(pa, po, L, 1, v, col, H, 1, o, col, H, L, L, dh);
      continue;
    }
    if (dropout) { masked(probs, pOff, pd, L, unit); pa = pd; po = 0; }
    gemmLoop(pa, po, 1, L, o, col, H, 1, dv, col, H, L, L, dh);
    const dp = new Float32Array(L * L);
    gemmLoop(o, col, H, 1, v, col, 1, H, dp, 0, L, L, dh, L);
    if (dropout) masked(dp, 0, dp, L, unit);
    for (let i = 0; i < L; i++) {
      let s = 0;
      for (let j = 0; j < L; j++) s += fround(dp[i * L + j] * probs[pOff + i * L + j]);
      const sf = fround(s);
      for (let j = 0; j < L; j++) {
        const pj = probs[pOff + i * L + j];
        dp[i * L + j] = fround(fround(dp[i * L + j] * pj) - fround(sf * pj));
      }
    }
    gemmLoop(dp, 0, L, 1, k, col, H, 1, dq, col, H, L, L, dh);
    for (let i = 0; i < L; i++) for (let p = 0; p < dh; p++) dq[col + i * H + p] = fround(dq[col + i * H + p] * scale);
    gemmLoop(dp, 0, 1, L, qs, 0, dh, 1, dk, col, H, L, L, dh);
  }
}

const wasmAttention: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const a = attrs as unknown as Attrs;
  const { q, k, v } = inputs as Record<string, TensorInfo>;
  const outs = [w.makeOutput(q.shape, 'float32'), w.makeOutput([a.probsSize], 'float32')];
  // views only after every output is made: growing an unshared heap detaches earlier views
  const [qv, kv, vv, ov, pv] = [q, k, v, ...outs].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  const engine = heapEngine(w);
  if (engine != null) engine.attentionAt('forward', { q: qv.byteOffset, k: kv.byteOffset, v: vv.byteOffset, o: ov.byteOffset, probs: pv.byteOffset, dq: 0, dk: 0, dv: 0 }, a);
  else attentionLoop(0, qv, kv, vv, ov, pv, ov, ov, ov, a);
  return outs;
};

const wasmAttentionGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const w = backend as unknown as WasmBackendLike;
  const a = attrs as unknown as Attrs;
  const { q, k, v, probs, dy } = inputs as Record<string, TensorInfo>;
  const outs = [w.makeOutput(q.shape, 'float32'), w.makeOutput(q.shape, 'float32'), w.makeOutput(q.shape, 'float32')];
  const [qv, kv, vv, pv, dyv, dqv, dkv, dvv] = [q, k, v, probs, dy, ...outs].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  const engine = heapEngine(w);
  if (engine != null) {
    engine.attentionAt('backward', { q: qv.byteOffset, k: kv.byteOffset, v: vv.byteOffset, o: dyv.byteOffset, probs: pv.byteOffset, dq: dqv.byteOffset, dk: dkv.byteOffset, dv: dvv.byteOffset }, a);
  } else {
    attentionLoop(1, qv, kv, vv, dyv, pv, dqv, dkv, dvv, a);
  }
  return outs;
};

const cpuAttention: KernelFunc = ({ inputs, backend, attrs }) => {
  const a = attrs as unknown as Attrs;
  const { q, k, v } = inputs as Record<string, TensorInfo>;
  const qv = cpuFloats(backend, q);
  const out = new Float32Array(qv.length), probs = new Float32Array(a.probsSize);
  attentionLoop(0, qv, cpuFloats(backend, k), cpuFloats(backend, v), out, probs, out, out, out, a);
  return [cpuTensor(backend, q.shape, out), cpuTensor(backend, [a.probsSize], probs)];
};

const cpuAttentionGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const a = attrs as unknown as Attrs;
  const { q, k, v, probs, dy } = inputs as Record<string, TensorInfo>;
  const n = q.shape.reduce((x, d) => x * d, 1);
  const dq = new Float32Array(n), dk = new Float32Array(n), dv = new Float32Array(n);
  attentionLoop(1, cpuFloats(backend, q), cpuFloats(backend, k), cpuFloats(backend, v), cpuFloats(backend, dy), cpuFloats(backend, probs), dq, dk, dv, a);
  return [dq, dk, dv].map((x) => cpuTensor(backend, q.shape, x));
};

/** Registers the fused attention kernels for the wasm and cpu backends (idempotent); returns what it did. */
export function installFusedAttention(): string[] {
  return installKernels('fused packed attention and its gradient', {
    wasm: { [ATTENTION]: wasmAttention, [ATTENTION_GRAD]: wasmAttentionGrad },
    cpu: { [ATTENTION]: cpuAttention, [ATTENTION_GRAD]: cpuAttentionGrad },
  });
}

/** Whether the active backend has the fused attention kernels (else packedAttention throws). */
export function hasPackedAttention(): boolean {
  return tf.getKernel(ATTENTION, tf.getBackend()) != null;
}

/**
 * Multi-head self-attention of packed sentences: q, k, v are [N, H] (the token rows of every
 * sentence in order, heads side by side), each sentence attends to its own tokens only; returns the
 * context [N, H] before the output projection, softmax((q / sqrt(dh)) k^T) v per sentence and head,
 * with dropout on the probabilities. One kernel each way (see above); needs hasPackedAttention().
 */
export function packedAttention(q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, options: PackedAttentionOptions): tf.Tensor2D {
  if (!hasPackedAttention()) throw new SpertError('RUNTIME_UNAVAILABLE', `packedAttention: backend "${tf.getBackend()}" has no fused attention kernels (use @spert/backend's useBackend with wasm or cpu)`);
  const [N, H] = q.shape;
  for (const [name, t] of [['k', k], ['v', v]] as const) {
    if (t.shape[0] !== N || t.shape[1] !== H) throw new SpertError('INVALID_INPUT', `packedAttention: ${name} is [${t.shape}], q is [${q.shape}]`);
  }
  const attrs = attentionAttrs(options, H, N) as unknown as tf.NamedAttrMap;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [qi, ki, vi] = args as tf.Tensor[];
    const [ctx, probs] = tf.engine().runKernel(ATTENTION, { q: qi, k: ki, v: vi }, attrs) as tf.Tensor[];
    (args[3] as tf.GradSaveFunc)([qi, ki, vi, probs]);
    return {
      value: ctx,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sq, sk, sv, sp] = saved;
        return tf.engine().runKernel(ATTENTION_GRAD, { q: sq, k: sk, v: sv, probs: sp, dy: dy as tf.Tensor }, attrs) as tf.Tensor[];
      },
    };
  });
  return op(q, k, v) as tf.Tensor2D;
}
