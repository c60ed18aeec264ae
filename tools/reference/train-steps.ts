// `npx tsx tools/reference/train-steps.ts --types TYPES.json --docs DOCS.json --dir OUT_DIR [--steps K] [--lr LR]`
// Reproduces train_steps.py with our trainer: opens the reference's initial model (OUT_DIR/init),
// trains it K steps on the same fixed batch (every negative kept, dropout 0), and compares the
// loss of every step and the inference outputs after the last one with OUT_DIR/reference_steps.json.
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { Command } from 'commander';
import { readDataset, readTypes } from '@spert/core';
import { useBackend } from '@spert/backend';
import { openModel } from '@spert/model';
import { trainSpert } from '@spert/trainer';

interface ReferenceSteps {
  losses: number[];
  outputs: Array<{ entity_probs: number[][]; relation_candidates: number[][]; relation_probs: number[][] }>;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Trains, compares, prints a table and exits 1 when a tolerance is exceeded. */
async function main(argv: string[]): Promise<void> {
  const o = new Command()
    .requiredOption('--types <file>')
    .requiredOption('--docs <file>')
    .requiredOption('--dir <dir>')
    .option('--steps <n>', 'steps (as train_steps.py)', (v) => Number(v), 30)
    .option('--lr <x>', 'learning rate (as train_steps.py)', (v) => Number(v), 5e-4)
    .option('--tolerance <x>', 'largest relative loss difference per step', (v) => Number(v), 1e-3)
    .parse(argv)
    .opts<{ types: string; docs: string; dir: string; steps: number; lr: number; tolerance: number }>();
  await useBackend('auto');
  const types = await readTypes({ path: o.types });
  const docs = (await readDataset({ path: o.docs, types })).documents;
  const ref = JSON.parse(await readFile(path.join(o.dir, 'reference_steps.json'), 'utf8')) as ReferenceSteps;
  const model = await openModel({ id: path.join(o.dir, 'init'), types });
  const logDir = await mkdtemp(path.join(tmpdir(), 'spert-steps-'));
  await trainSpert({
    model,
    documents: docs,
    epochs: o.steps,
    batchSize: docs.length,
    lr: o.lr,
    lrWarmup: 0.1,
    weightDecay: 0.01,
    maxGradNorm: 1,
    negEntityCount: 1e9,
    negRelationCount: 1e9,
    seed: 1,
    logDir,
    logEvery: 1,
    progress: 'off',
    log: () => undefined,
  });
  const csv = (await readFile(path.join(logDir, 'loss.csv'), 'utf8')).trim().split('\n');
  const header = csv[0].split(',');
  const lossCol = header.indexOf('loss');
  const ours = csv.slice(1).map((l) => Number(l.split(',')[lossCol]));
  let worst = 0;
  const rows = ours.map((l, i) => {
    const rel = Math.abs(l - ref.losses[i]) / Math.max(Math.abs(ref.losses[i]), 1e-12);
    worst = Math.max(worst, rel);
    return `| ${i + 1} | ${ref.losses[i].toFixed(6)} | ${l.toFixed(6)} | ${rel.toExponential(1)} |`;
  });
  console.log('| step | reference loss | ours | relative difference |\n|---|---|---|---|');
  for (const r of rows) console.log(r);
  const scores = await model.score(docs.map((d) => d.tokens));
  let probDiff = 0;
  let samePairs = true;
  scores.forEach((s, i) => {
    const r = ref.outputs[i];
    probDiff = Math.max(probDiff, maxAbs(s.entityProbs, r.entity_probs.flat()));
    samePairs &&= JSON.stringify(s.pairs) === JSON.stringify(r.relation_candidates);
    if (s.pairs.length) probDiff = Math.max(probDiff, maxAbs(s.relationProbs, r.relation_probs.flat()));
  });
  const pairCount = scores.reduce((n, s) => n + s.pairs.length, 0);
  console.log(`\nsteps ${ours.length}/${ref.losses.length}; worst relative loss difference ${worst.toExponential(2)}; ` +
    `after the last step: relation candidates ${samePairs ? 'identical' : 'DIFFERENT'} (${pairCount}), max |probability difference| ${probDiff.toExponential(2)}`);
  model.dispose();
  if (ours.length !== ref.losses.length || worst > o.tolerance || !samePairs || probDiff > 1e-3) process.exit(1);
}

main(process.argv).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
