// `npx tsx tools/bench/gemm-capture.ts [--hidden 256 --layers 4] [--steps 4]`
// Records the matrix products of SpERT training steps (issue #28): wraps the wasm BatchMatMul and
// _FusedMatMul kernels, trains a from-scratch model of the given size on CoNLL04 train with the
// unchanged recipe (batch 2), and writes every distinct product shape and layout with its count
// per step to tools/bench/gemm-shapes-<hidden>x<layers>.json, which gemm-shapes.ts replays.
// Sentence lengths vary, so M varies from step to step; the shapes of a few steps are a sample.
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@spert/backend';
import { readDataset, readTypes } from '@spert/core';
import { createScratchModel } from '@spert/model';
import { trainSpert } from '@spert/trainer';
import { sharedPath } from '../testing/shared';
import type { CapturedShape } from './gemm-shape-types';

const int = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got "${v}"`);
  return n;
};

async function main(argv: string[]): Promise<void> {
  const o = new Command('gemm-capture')
    .option('--hidden <n>', 'hidden size', int, 256)
    .option('--layers <n>', 'encoder layers', int, 4)
    .option('--steps <n>', 'recorded steps', int, 4)
    .parse(argv)
    .opts<{ hidden: number; layers: number; steps: number }>();
  await useBackend('wasm');
  const seen = new Map<string, CapturedShape>();
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const config = tf.getKernel(name, 'wasm');
    if (config == null) throw new Error(`wasm ${name} is not registered`);
    const original = config.kernelFunc;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const a = args.inputs.a as tf.TensorInfo, b = args.inputs.b as tf.TensorInfo;
        const bias = args.inputs.bias as tf.TensorInfo | undefined;
        const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
        const row: CapturedShape = { kernel: name, a: [...a.shape], b: [...b.shape], transposeA: attrs.transposeA ?? false, transposeB: attrs.transposeB ?? false, bias: bias == null ? null : [...bias.shape], perStep: 0 };
        const key = JSON.stringify({ ...row, perStep: 0 });
        const known = seen.get(key) ?? row;
        known.perStep++;
        seen.set(key, known);
        return original(args);
      },
    });
  }
  const types = await readTypes({ path: sharedPath('datasets', 'conll04', 'conll04_types.json') });
  const docs = (await readDataset({ path: sharedPath('datasets', 'conll04', 'conll04_train.json'), types })).documents.slice(0, 2 * o.steps);
  const model = createScratchModel({ documents: docs, types, family: 'bert', hiddenSize: o.hidden, layers: o.layers, heads: Math.max(1, o.hidden / 64), intermediateSize: 4 * o.hidden, seed: 1 });
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'spert-gemm-capture-'));
  try {
    await trainSpert({ model, documents: docs, epochs: 1, batchSize: 2, lr: 5e-5, seed: 1, logDir, progress: 'off', log: () => undefined });
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
  const rows = [...seen.values()].map((r) => ({ ...r, perStep: r.perStep / o.steps }));
  const file = path.join(__dirname, `gemm-shapes-${o.hidden}x${o.layers}.json`);
  await writeFile(file, `${JSON.stringify({ model: `bert ${o.hidden}x${o.layers}`, steps: o.steps, products: rows }, null, 1)}\n`);
  console.log(`${rows.length} distinct products, ${rows.reduce((n, r) => n + r.perStep, 0)} per step -> ${file}`);
}

main(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
