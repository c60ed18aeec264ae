#!/usr/bin/env node
import { runCliMain } from '@spert/core';
import { parsePretrainCommand } from './cli';
import { exportPretrainingCheckpoint, runPretraining } from './run-pretraining';

const percent = (v?: { loss: number; accuracy: number }) => (v ? `; validation loss ${v.loss.toFixed(4)}, masked-token accuracy ${(100 * v.accuracy).toFixed(2)}%` : '');

runCliMain('spert-pretrain', async () => {
  const command = parsePretrainCommand(process.argv.slice(2));
  if ('export' in command) {
    const e = await exportPretrainingCheckpoint(command.export);
    process.stdout.write(`exported encoder: ${e.encoderDir} (step ${e.step}, ${e.trainTokens.toLocaleString('en')} training tokens${percent(e.validation)})\n`);
    process.stderr.write(`fine-tune it with: spert-train --encoder ${e.encoderDir}\n`);
    return;
  }
  const run = await runPretraining(command.train);
  process.stdout.write(`pre-trained encoder: ${run.encoderDir} (${run.steps} updates, ${run.trainTokens.toLocaleString('en')} training tokens${percent(run.validation)})\n`);
  process.stderr.write(`done in ${run.seconds.toFixed(0)} s; fine-tune it with: spert-train --encoder ${run.encoderDir}\n`);
});
