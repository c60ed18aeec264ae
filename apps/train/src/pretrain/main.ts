#!/usr/bin/env node
import { runCliMain } from '@spert/core';
import { parsePretrainArgs } from './cli';
import { runPretraining } from './run-pretraining';

runCliMain('spert-pretrain', async () => {
  const config = parsePretrainArgs(process.argv.slice(2));
  const run = await runPretraining(config);
  const v = run.validation ? `; validation loss ${run.validation.loss.toFixed(4)}, masked-token accuracy ${(100 * run.validation.accuracy).toFixed(2)}%` : '';
  process.stdout.write(`pre-trained encoder: ${run.encoderDir} (${run.steps} updates, ${run.trainTokens.toLocaleString('en')} training tokens${v})\n`);
  process.stderr.write(`done in ${run.seconds.toFixed(0)} s; fine-tune it with: spert-train --encoder ${run.encoderDir}\n`);
});
