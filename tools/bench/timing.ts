// Timing helpers shared by the benchmarks (tsx only, not part of any package).
import * as tf from '@tensorflow/tfjs-core';

/** Median wall time in ms of `fn` over `reps` runs after `warmup` runs; outputs disposed outside tf.tidy. */
export function timeIt(fn: () => tf.Tensor | tf.Tensor[], { reps = 5, warmup = 1 }: { reps?: number; warmup?: number } = {}): number {
  const run = (): number => {
    const t0 = performance.now();
    const out = fn();
    // cpu and wasm kernels run synchronously, so the time is taken without reading results back
    // (a read copies the whole buffer out of the wasm heap).
    const dt = performance.now() - t0;
    tf.dispose(out);
    return dt;
  };
  for (let i = 0; i < warmup; i++) run();
  const times = Array.from({ length: reps }, run).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** GFLOP/s for `flops` floating-point operations done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  return flops / ms / 1e6;
}

/** Pads a table cell. */
export function cell(v: string | number, width: number): string {
  return String(v).padStart(width);
}
