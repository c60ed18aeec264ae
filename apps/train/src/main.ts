#!/usr/bin/env node
import { LENIENT_FLAG_HINT, runCliMain } from '@spert/core';
import { parseTrainArgs } from './cli';
import { runTraining } from './run-training';

runCliMain(
  'spert-train',
  async () => {
    const config = parseTrainArgs(process.argv.slice(2));
    const run = await runTraining(config);
    process.stdout.write(`${run.tables}\n`);
    process.stderr.write(`done in ${run.seconds.toFixed(0)} s; model: ${run.modelDir}; reports: ${run.evalDir}\n`);
  },
  { lenientHint: LENIENT_FLAG_HINT },
);
