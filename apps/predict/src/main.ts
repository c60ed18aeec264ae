#!/usr/bin/env node
// spert-predict entry point: everything testable lives in cli.ts.
import { workerModuleBeside } from '@spert/batch';
import { runCliMain } from '@spert/core';
import { runPredict } from './cli';

const workerFile = workerModuleBeside('worker');

runCliMain('spert-predict', async () => {
  await runPredict({ argv: process.argv, workerFile });
  process.exit(0);
});
