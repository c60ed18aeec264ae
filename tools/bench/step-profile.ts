// `npx tsx tools/bench/step-profile.ts [--hidden 256 --layers 4] [--steps 20] [--backend wasm]`
// Where the time of one SpERT training step goes (issue #28): trains a from-scratch model of the
// given size on CoNLL04 train with the unchanged recipe (batch 2, 100 + 100 negatives), first
// plainly (wall time per step), then with every registered kernel of the backend wrapped in a
// timer (name, count, time; tf.profile is not used: without a backend timer it reads every
// output back). Prints the kernel count per step, the time per kernel name, and the time outside
// kernels (the wall time minus the kernels' time: dispatch, the tape, allocations, sampling,
// collation). Run on a quiet machine; compare numbers only within one run. The median step is the
// steadier figure on a machine that other work interrupts.
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, useBackend, type BackendName } from '@spert/backend';
import { readDataset, readTypes, type Document } from '@spert/core';
import { createScratchModel, SCRATCH_FAMILIES, type ScratchFamily } from '@spert/model';
import { trainSpert, type Progress } from '@spert/trainer';
import { sharedPath } from '../testing/shared';

interface Options {
  hidden: number;
  layers: number;
  heads?: number;
  intermediate?: number;
  family: ScratchFamily;
  steps: number;
  warmup: number;
  backend: BackendName;
  top: number;
}

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
};

// The end time of every step of the last trainSteps call (a Progress that only records).
let stepEnds: number[] = [];
const recorder: Progress = {
  start: () => void (stepEnds = [performance.now()]),
  update: () => void stepEnds.push(performance.now()),
  endEpoch: () => undefined,
  stop: () => undefined,
};

/** The median of the last `n` step times of the last run: robust to bursts of load from other processes. */
function medianStep(n: number): number {
  const d = stepEnds.slice(1).map((t, i) => t - stepEnds[i]).slice(-n).sort((a, b) => a - b);
  return d.length % 2 ? d[(d.length - 1) / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
}

/** Trains `steps` batches of 2 documents (one epoch over 2 * steps documents), quietly. */
async function trainSteps(docs: readonly Document[], o: Options, types: Awaited<ReturnType<typeof readTypes>>, steps: number): Promise<number> {
  const model = createScratchModel({
    documents: docs,
    types,
    family: o.family,
    hiddenSize: o.hidden,
    layers: o.layers,
    heads: o.heads ?? Math.max(1, o.hidden / 64),
    intermediateSize: o.intermediate ?? 4 * o.hidden,
    seed: 1,
  });
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'spert-step-profile-'));
  try {
    const t0 = performance.now();
    await trainSpert({ model, documents: docs.slice(0, 2 * steps), epochs: 1, batchSize: 2, lr: 5e-5, seed: 1, logDir, progress: recorder, log: () => undefined });
    return performance.now() - t0;
  } finally {
    model.dispose?.();
    await rm(logDir, { recursive: true, force: true });
  }
}

/**
 * Wraps every kernel registered for `backend` in a timer (outermost calls only: a kernel that runs
 * another through the engine is counted once); returns the live per-name totals.
 */
function timeKernels(backend: string): Map<string, { count: number; ms: number }> {
  const totals = new Map<string, { count: number; ms: number }>();
  let depth = 0;
  for (const config of tf.getKernelsForBackend(backend)) {
    const original = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return original(args);
        depth++;
        const t0 = performance.now();
        try {
          return original(args);
        } finally {
          depth--;
          const row = totals.get(config.kernelName) ?? { count: 0, ms: 0 };
          row.count++;
          row.ms += performance.now() - t0;
          totals.set(config.kernelName, row);
        }
      },
    });
  }
  return totals;
}

async function main(argv: string[]): Promise<void> {
  const o = new Command('step-profile')
    .option('--hidden <n>', 'hidden size', int, 256)
    .option('--layers <n>', 'encoder layers', int, 4)
    .option('--heads <n>', 'attention heads (default hidden / 64)', int)
    .option('--intermediate <n>', 'feed-forward size (default 4 x hidden)', int)
    .option('--family <name>', `encoder family: ${SCRATCH_FAMILIES.join(', ')}`, 'bert')
    .option('--steps <n>', 'profiled steps', int, 20)
    .option('--warmup <n>', 'steps run first and not counted', int, 5)
    .option('--backend <name>', 'wasm | cpu | tensorflow | auto', 'wasm')
    .option('--top <n>', 'kernel rows to print', int, 25)
    .parse(argv)
    .opts<Options>();
  if (!(SCRATCH_FAMILIES as readonly string[]).includes(o.family)) throw new Error(`--family: expected one of ${SCRATCH_FAMILIES.join(', ')}, got "${o.family}"`);
  const report = await useBackend(o.backend);
  const types = await readTypes({ path: sharedPath('datasets', 'conll04', 'conll04_types.json') });
  const train = (await readDataset({ path: sharedPath('datasets', 'conll04', 'conll04_train.json'), types })).documents;
  const docs = train.slice(0, 2 * (o.steps + o.warmup));

  // Plain timing: (warmup + steps) minus warmup alone, so set-up and the first slow calls cancel out.
  const warm = await trainSteps(docs, o, types, o.warmup);
  const all = await trainSteps(docs, o, types, o.warmup + o.steps);
  const stepMs = (all - warm) / o.steps;
  const medianMs = medianStep(o.steps);

  const byName = timeKernels(tf.getBackend());
  const timedAll = await trainSteps(docs, o, types, o.warmup + o.steps);
  const all2 = new Map([...byName].map(([k, v]) => [k, { ...v }]));
  byName.clear();
  const timedWarm = await trainSteps(docs, o, types, o.warmup);
  for (const [k, v] of byName) {
    const row = all2.get(k) ?? { count: 0, ms: 0 };
    row.count -= v.count;
    row.ms -= v.ms;
    all2.set(k, row);
  }
  const timedStepMs = (timedAll - timedWarm) / o.steps;
  const rows = [...all2.entries()].map(([name, r]) => ({ name, count: r.count / o.steps, ms: r.ms / o.steps })).sort((a, b) => b.ms - a.ms);
  const kernelsPerStep = rows.reduce((n, r) => n + r.count, 0);
  const kernelMs = rows.reduce((n, r) => n + r.ms, 0);

  console.log(`# SpERT training step profile: ${o.family} ${o.hidden}x${o.layers}, CoNLL04 train, batch 2, ${o.steps} steps after ${o.warmup}`);
  console.log(formatBackendReport(report));
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, node ${process.version}`);
  console.log('');
  console.log('| measure | per step |\n|---|---:|');
  console.log(`| wall time (no profiler) | ${stepMs.toFixed(1)} ms |`);
  console.log(`| median step (no profiler) | ${medianMs.toFixed(1)} ms |`);
  console.log(`| wall time with kernel timers | ${timedStepMs.toFixed(1)} ms |`);
  console.log(`| kernels | ${kernelsPerStep.toFixed(0)} |`);
  console.log(`| time in kernels | ${kernelMs.toFixed(1)} ms |`);
  console.log(`| time outside kernels | ${(stepMs - kernelMs).toFixed(1)} ms (${((100 * (stepMs - kernelMs)) / stepMs).toFixed(0)}%) |`);
  console.log(`| mean time per kernel | ${((1000 * kernelMs) / Math.max(kernelsPerStep, 1)).toFixed(1)} us |`);
  console.log('');
  console.log('| kernel | calls / step | ms / step | us / call | share of kernel time |\n|---|---:|---:|---:|---:|');
  for (const r of rows.slice(0, o.top)) {
    console.log(`| ${r.name} | ${r.count.toFixed(1)} | ${r.ms.toFixed(2)} | ${((1000 * r.ms) / Math.max(r.count, 1e-9)).toFixed(1)} | ${((100 * r.ms) / kernelMs).toFixed(1)}% |`);
  }
  const rest = rows.slice(o.top);
  if (rest.length > 0) console.log(`| (${rest.length} others) | ${rest.reduce((n, r) => n + r.count, 0).toFixed(1)} | ${rest.reduce((n, r) => n + r.ms, 0).toFixed(2)} | | |`);
}

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
