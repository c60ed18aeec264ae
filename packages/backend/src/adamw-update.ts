import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { cpuFloats, cpuTensor, installKernels } from './fused-kernels';
import type { WasmBackendLike } from './wasm-types';
import { heapEngine } from './heap-kernels';
import type { AdamWItem, AdamWScalars, GemmEngine } from './gemm-engine';

/** Everything one parameter's AdamW update needs; variables are updated by assignment. */
export interface AdamWUpdateArgs extends AdamWScalars {
  param: tf.Variable;
  grad: tf.Tensor;
  expAvg: tf.Variable;
  expAvgSq: tf.Variable;
}

type AdamWAttrs = AdamWScalars;

const KERNEL = 'SpertFusedAdamW';

// One pass over the four arrays instead of ~12 elementwise kernels (each a full pass over 110 M
// floats for bert-base). Same formula as transformers' AdamW with correct_bias=False and the decay
// applied to the already-updated parameter: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p -= lr m / (sqrt(v) + eps); p -= lr wd p.
// Module-level alias: inside a vm context (jest) every global lookup such as `Math` in a hot loop
// goes through the context's interceptors and costs ~100x a local read.
const sqrt = Math.sqrt;

function step(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, a: AdamWAttrs): void {
  const { lr, beta1, beta2, eps, weightDecay, gradScale } = a;
  const c1 = 1 - beta1, c2 = 1 - beta2, decay = 1 - lr * weightDecay;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * gradScale;
    const mi = beta1 * m[i] + c1 * gi;
    const vi = beta2 * v[i] + c2 * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = (p[i] - lr * mi / (sqrt(vi) + eps)) * decay;
  }
}

function checkInputs(inputs: Record<string, TensorInfo | undefined>): TensorInfo[] {
  const ts = ['param', 'grad', 'expAvg', 'expAvgSq'].map((k) => {
    const t = inputs[k];
    if (t == null || t.dtype !== 'float32') throw new Error(`adamwUpdate: ${k} must be a float32 tensor`);
    return t;
  });
  const n = ts[0].shape.reduce((a, d) => a * d, 1);
  ts.forEach((t, i) => {
    if (t.shape.reduce((a, d) => a * d, 1) !== n) throw new Error(`adamwUpdate: input ${i} has shape [${t.shape}], param has [${ts[0].shape}]`);
  });
  return ts;
}

// The SIMD loop of assembly/kernels.ts on tfjs-backend-wasm's own heap (one thread: 0.76 s per
// bert-base update vs 1.6 s for the JS loop), split over the engine's threads when the heap is shared.
const wasmKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const [p, g, m, v] = checkInputs(inputs as Record<string, TensorInfo>);
  const w = backend as unknown as WasmBackendLike;
  const outs = [w.makeOutput(p.shape, 'float32'), w.makeOutput(p.shape, 'float32'), w.makeOutput(p.shape, 'float32')];
  // Heap views only after every allocation: growing an unshared heap detaches earlier views.
  const views = [p, g, m, v, ...outs].map((t) => w.typedArrayFromHeap(t) as Float32Array);
  const a = attrs as unknown as AdamWAttrs;
  const engine = heapEngine(w);
  if (engine != null) {
    const [pp, gp, mp, vp, po, mo, vo] = views.map((x) => x.byteOffset);
    engine.adamwAt([{ p: pp, g: gp, m: mp, v: vp, pOut: po, mOut: mo, vOut: vo, n: views[0].length, weightDecay: a.weightDecay }], a);
  } else {
    const [pv, gv, mv, vv, pov, mov, vov] = views;
    step(pv, gv, mv, vv, pov, mov, vov, a);
  }
  return outs;
};

const cpuKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const [p, g, m, v] = checkInputs(inputs as Record<string, TensorInfo>);
  const n = p.shape.reduce((a, d) => a * d, 1);
  const po = new Float32Array(n), mo = new Float32Array(n), vo = new Float32Array(n);
  const [pv, gv, mv, vv] = [p, g, m, v].map((t) => cpuFloats(backend, t));
  step(pv, gv, mv, vv, po, mo, vo, attrs as unknown as AdamWAttrs);
  return [po, mo, vo].map((values) => cpuTensor(backend, p.shape, values));
};

/** Registers the fused AdamW kernel for the wasm and cpu backends (idempotent); returns what it did. */
export function installFusedAdamW(): string[] {
  return installKernels('fused AdamW kernel', { wasm: { [KERNEL]: wasmKernel }, cpu: { [KERNEL]: cpuKernel } });
}

// In place on the wasm heap: the update writes p, m and v where they lie instead of into three
// new tensors that are then assigned (saves an allocation and a write-allocate read per array:
// ~30% of the step's memory traffic). Only when nothing else shares their buffers (backend
// reference count 1): a tensor the variable was created from, or a clone of it, keeps its values.
function inPlaceItem(a: AdamWUpdateArgs): { engine: GemmEngine; item: AdamWItem } | undefined {
  const backend = tf.backend() as unknown as WasmBackendLike & { refCount?(dataId: tf.DataId): number };
  const engine = tf.getBackend() === 'wasm' ? heapEngine(backend) : undefined;
  if (engine == null || backend.refCount == null || a.grad.dtype !== 'float32') return undefined;
  const own = [a.param, a.expAvg, a.expAvgSq];
  if (own.some((t) => t.dtype !== 'float32' || t.size !== a.param.size || backend.refCount!(t.dataId) !== 1)) return undefined;
  if (a.grad.size !== a.param.size) return undefined;
  const [p, m, v, g] = [...own, a.grad].map((t) => backend.typedArrayFromHeap(t).byteOffset);
  return { engine, item: { p, g, m, v, pOut: p, mOut: m, vOut: v, n: a.param.size, weightDecay: a.weightDecay } };
}

function tryInPlace(a: AdamWUpdateArgs): boolean {
  const at = inPlaceItem(a);
  at?.engine.adamwAt([at.item], a);
  return at != null;
}

/**
 * The update on plain tfjs ops: the one fallback for a backend without a registered kernel
 * (webgl, tensorflow, ...), and a float32 op-by-op variant for comparisons. Same formula as the
 * kernels.
 */
export function adamwUpdateOps(args: AdamWUpdateArgs): void {
  const { param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, gradScale } = args;
  // Small tidy scopes, each result moved into its variable at once: the peak is about three
  // parameter-sized temporaries instead of the ~15 one scope would hold (the word embeddings of
  // BERT-base are 89 MB each).
  const g = gradScale === 1 ? grad : tf.mul(grad, gradScale);
  const replace = (v: tf.Variable, make: () => tf.Tensor) => {
    const t = tf.tidy(make);
    v.assign(t);
    t.dispose();
  };
  try {
    replace(expAvg, () => tf.add(tf.mul(expAvg, beta1), tf.mul(g, 1 - beta1)));
    replace(expAvgSq, () => tf.add(tf.mul(expAvgSq, beta2), tf.mul(tf.square(g), 1 - beta2)));
  } finally {
    if (g !== grad) g.dispose();
  }
  replace(param, () => tf.sub(param, tf.mul(tf.div(expAvg, tf.add(tf.sqrt(expAvgSq), eps)), lr)));
  if (weightDecay > 0) replace(param, () => tf.sub(param, tf.mul(param, lr * weightDecay)));
}

/**
 * The float64 reference: the cpu kernel's loop (float64 arithmetic, float32 storage) run on copies
 * of the four arrays, on any backend. Slow off the cpu backend (it reads the tensors back); meant
 * for checking a backend's kernel.
 */
export function adamwUpdateLoop(args: AdamWUpdateArgs): void {
  const { param, grad, expAvg, expAvgSq } = args;
  const n = param.size;
  const out = [new Float32Array(n), new Float32Array(n), new Float32Array(n)] as const;
  const g = grad.dtype === 'float32' ? (grad.dataSync() as Float32Array) : Float32Array.from(grad.dataSync());
  step(param.dataSync() as Float32Array, g, expAvg.dataSync() as Float32Array, expAvgSq.dataSync() as Float32Array, ...out, args);
  for (const [variable, data] of [[param, out[0]], [expAvg, out[1]], [expAvgSq, out[2]]] as const) {
    const t = tf.tensor(data, variable.shape, 'float32');
    variable.assign(t);
    t.dispose();
  }
}

/**
 * AdamW (no bias correction, decoupled decay) for one parameter, the project's one update op: the
 * backend's registered kernel (wasm: in place or one SIMD pass; cpu: one float64 JS loop), else
 * {@link adamwUpdateOps}.
 */
export function adamwUpdate(args: AdamWUpdateArgs): void {
  const { param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, gradScale } = args;
  installFusedAdamW();
  if (tryInPlace(args)) return;
  if (tf.getKernel(KERNEL, tf.getBackend()) == null) {
    adamwUpdateOps(args);
    return;
  }
  tf.tidy(() => {
    const attrs = { lr, beta1, beta2, eps, weightDecay, gradScale };
    const [p, m, v] = tf.engine().runKernel(KERNEL, { param, grad: grad.dtype === 'float32' ? grad : tf.cast(grad, 'float32'), expAvg, expAvgSq }, attrs) as tf.Tensor[];
    param.assign(p);
    expAvg.assign(m);
    expAvgSq.assign(v);
  });
}

/**
 * adamwUpdate of many parameters, the same values: on the wasm heap every parameter that can be
 * updated in place goes into one engine job whose chunks both threads share (83 jobs a 256x4 SpERT
 * step before, the small parameters on the calling thread alone, each with its own dispatch); the
 * others, and any whose scalars other than the weight decay differ from the first's, take
 * adamwUpdate one by one.
 */
export function adamwUpdateMany(list: readonly AdamWUpdateArgs[]): void {
  installFusedAdamW();
  const first = list[0];
  const items: AdamWItem[] = [];
  let engine: GemmEngine | undefined;
  for (const a of list) {
    const same = a.lr === first.lr && a.beta1 === first.beta1 && a.beta2 === first.beta2 && a.eps === first.eps && a.gradScale === first.gradScale;
    const at = same ? inPlaceItem(a) : undefined;
    if (at == null) {
      adamwUpdate(a);
      continue;
    }
    engine = at.engine;
    items.push(at.item);
  }
  engine?.adamwAt(items, first);
}
