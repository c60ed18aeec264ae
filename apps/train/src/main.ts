#!/usr/bin/env node
import { parseTrainArgs } from './cli';
import { runTraining } from './run-training';

async function main(): Promise<void> {
  const config = parseTrainArgs(process.argv.slice(2));
  const run = await runTraining(config);
  process.stdout.write(`${run.tables}\n`);
  process.stderr.write(`done in ${run.seconds.toFixed(0)} s; model: ${run.modelDir}; reports: ${run.evalDir}\n`);
}

main().catch((e: unknown) => {
  const err = e as { code?: string; message?: string };
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
  process.stderr.write(`spert-train: ${err.message ?? String(e)}\n`);
  process.exit(1);
});
