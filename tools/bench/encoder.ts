// Encoder benchmark on the wasm backend: forward, and forward + backward + AdamW step, for a random
// base-sized encoder of a family: bert (bert-base-cased: hidden 768, 12 layers, 12 heads,
// intermediate 3072, vocab 28996), roberta (roberta-base: vocab 50265, 514 positions) or
// deberta-v2 (microsoft/deberta-v3-base: vocab 128100, relative attention, 256 buckets),
// batch 2 x 48 wordpieces. Reports median times, implied GFLOP/s and peak tensor memory.
// Run: npx tsx tools/bench/encoder.ts [--family bert|roberta|deberta-v2] [--backend wasm|cpu|auto] [--steps 3]
//   [--adamw ops|fused] [--profile] [--hidden 768 --layers 12 --heads 12 --intermediate 3072 --vocab N]
// --profile: time every kernel of the last step (each kernel wrapped with a timer) and print
// where the forward+backward went. The size flags shrink the encoder (to check the script quickly).
import * as tf from '@tensorflow/tfjs-core';
import { adamwUpdate, formatBackendReport, useBackend, type BackendName } from '@spert/backend';
import { makeEncoderConfig } from '@spert/checkpoint';
import { createEncoder } from '@spert/encoder';
import { AdamW, adamwUpdateOps } from '@spert/trainer';

// Each family's base checkpoint: vocabulary and the config fields that differ from BERT's.
const FAMILIES = {
  bert: { vocab: 28996, fields: {} },
  roberta: { vocab: 50265, fields: { max_position_embeddings: 514, type_vocab_size: 1 } },
  'deberta-v2': { vocab: 128100, fields: { max_position_embeddings: 512, type_vocab_size: 0 } },
} as const;
type Family = keyof typeof FAMILIES;

const familyName = argValue('family', 'bert');
if (!Object.prototype.hasOwnProperty.call(FAMILIES, familyName)) {
  throw new Error(`--family ${familyName}: expected one of ${Object.keys(FAMILIES).join(', ')}`);
}
const FAMILY = familyName as Family;
const B = 2, T = 48;
const H = Number(argValue('hidden', '768')), L = Number(argValue('layers', '12')), HEADS = Number(argValue('heads', '12'));
const I = Number(argValue('intermediate', '3072')), V = Number(argValue('vocab', String(FAMILIES[FAMILY].vocab)));

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] != null ? process.argv[i + 1] : fallback;
}

const arg = argValue;

/** Multiply-adds x2 of the dense layers and attention products of one forward pass. */
function forwardFlops(): number {
  const tokens = B * T;
  const dense = 2 * tokens * (4 * H * H + 2 * H * I);
  const attention = 2 * 2 * B * T * T * H;
  return L * (dense + attention);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function heapMiB(): string {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  const heap = backend.wasm?.HEAPU8?.byteLength;
  return heap == null ? 'n/a' : `${(heap / 2 ** 20).toFixed(0)} MiB`;
}

interface KernelTime { ms: number; calls: number }

// Wraps every kernel of the backend with a timer that counts while `on()` is true.
function profileKernels(backendName: string, on: () => boolean): Map<string, KernelTime> {
  const times = new Map<string, KernelTime>();
  for (const k of tf.getKernelsForBackend(backendName)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({ ...k, kernelFunc: (args) => {
      if (!on()) return inner(args);
      const t0 = performance.now();
      const out = inner(args);
      const e = times.get(k.kernelName) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      times.set(k.kernelName, e);
      return out;
    } });
  }
  return times;
}

async function main(): Promise<void> {
  const backendName = arg('backend', 'wasm') as BackendName;
  const steps = Number(arg('steps', '3'));
  const adamwKind = arg('adamw', 'fused');
  const report = await useBackend(backendName);
  console.log(formatBackendReport(report));
  const config = makeEncoderConfig({
    model_type: FAMILY,
    vocab_size: V,
    hidden_size: H,
    num_hidden_layers: L,
    num_attention_heads: HEADS,
    intermediate_size: I,
    ...FAMILIES[FAMILY].fields,
  });
  const encoder = createEncoder({ config, seed: 1 });
  console.log(`encoder: ${FAMILY}, ${(encoder.parameterCount() / 1e6).toFixed(1)} M parameters; batch ${B} x ${T}; AdamW update: ${adamwKind}`);
  const ids = tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i * 7919 + 101) % V), [B, T], 'int32');
  const mask = tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i % T < T - 5 || i < T ? 1 : 0)), [B, T], 'int32');
  const profile = process.argv.includes('--profile');
  let profiling = false;
  const kernelTimes = profile ? profileKernels(tf.getBackend(), () => profiling) : undefined;
  const params = encoder.variables();
  const byTfName = new Map([...params].map(([k, v]) => [v.name, k]));
  const optimizer = new AdamW({ params, weightDecay: 0.01, update: adamwKind === 'ops' ? adamwUpdateOps : adamwUpdate });

  const forwardMs: number[] = [];
  for (let i = 0; i < steps + 1; i++) {
    const t0 = performance.now();
    const h = encoder.apply({ inputIds: ids, attentionMask: mask }, { training: false });
    const dt = performance.now() - t0;
    h.dispose();
    if (i > 0) forwardMs.push(dt);
  }

  const loss = () => tf.tidy(() => {
    const h = encoder.apply({ inputIds: ids, attentionMask: mask }, { training: true });
    return tf.mean(tf.square(h)) as tf.Scalar;
  });
  const stepMs: number[] = [];
  const parts: { fwdBwd: number; adamw: number }[] = [];
  const heapLog: string[] = [`after the forward runs ${heapMiB()}`];
  let failure: string | undefined;
  // Step 0 is a warm-up, not counted: it allocates the AdamW moments, grows the heap to its
  // training size and lets V8 optimise the kernels in every thread.
  const perStep: string[] = [];
  let lastFwdBwd = 0;
  for (let i = 0; i <= steps && failure == null; i++) {
    try {
      profiling = profile && i === steps;
      const t0 = performance.now();
      const { value, grads } = tf.variableGrads(loss, [...params.values()]);
      const t1 = performance.now();
      profiling = false;
      if (profile && i === steps) lastFwdBwd = t1 - t0;
      heapLog.push(`step ${i} after forward+backward ${heapMiB()}`);
      const named = new Map(Object.entries(grads).map(([tfName, g]) => [byTfName.get(tfName)!, g]));
      optimizer.applyGradients(named, 1e-4);
      const t2 = performance.now();
      heapLog.push(`step ${i} after AdamW ${heapMiB()}`);
      tf.dispose([value, ...Object.values(grads)]);
      perStep.push(`${i === 0 ? 'warm-up' : `step ${i}`} ${(t1 - t0).toFixed(0)} + ${(t2 - t1).toFixed(0)} ms`);
      if (i === 0) continue;
      stepMs.push(t2 - t0);
      parts.push({ fwdBwd: t1 - t0, adamw: t2 - t1 });
    } catch (e) {
      failure = `step ${i} FAILED: ${(e as Error).message.split('\n')[0]}`;
    }
  }

  const f = forwardFlops();
  const fwd = median(forwardMs);
  const uncounted = FAMILY === 'deberta-v2' ? ' (BERT\'s count: the relative-position terms of DeBERTa are not included)' : '';
  console.log(`\nforward FLOPs ${(f / 1e9).toFixed(1)} G${uncounted}; backward counted as 2x forward`);
  console.log(`wasm heap (never shrinks): ${heapLog.join('; ')}; process RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  console.log(`per step (forward+backward + AdamW): ${perStep.join('; ')}`);
  if (failure) console.log(failure);
  console.log(`\n| measure | runs | median ms | GFLOP/s |\n|---|---:|---:|---:|`);
  console.log(`| forward (inference, no dropout) | ${forwardMs.length} | ${fwd.toFixed(0)} | ${(f / fwd / 1e6).toFixed(1)} |`);
  if (stepMs.length === 0) return;
  const step = median(stepMs);
  const fb = median(parts.map((p) => p.fwdBwd));
  const opt = median(parts.map((p) => p.adamw));
  console.log(`| forward + backward (training, dropout) | ${parts.length} | ${fb.toFixed(0)} | ${(3 * f / fb / 1e6).toFixed(1)} |`);
  console.log(`| AdamW update (${adamwKind}) | ${parts.length} | ${opt.toFixed(0)} | |`);
  console.log(`| step: forward + backward + AdamW | ${stepMs.length} | ${step.toFixed(0)} | |`);
  console.log(`\ntarget step <= 2500 ms: ${step <= 2500 ? 'met' : 'NOT met'}`);
  if (kernelTimes != null) {
    const rows = [...kernelTimes].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((acc, [, t]) => acc + t.ms, 0);
    console.log(`\n## kernels of the last forward+backward (${lastFwdBwd.toFixed(0)} ms; kernels ${total.toFixed(0)} ms, the rest is tfjs bookkeeping)\n`);
    console.log('| kernel | ms | calls |\n|---|---:|---:|');
    for (const [name, t] of rows.slice(0, 15)) console.log(`| ${name} | ${t.ms.toFixed(1)} | ${t.calls} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
