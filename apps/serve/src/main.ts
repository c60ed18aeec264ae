#!/usr/bin/env node
// spert-serve entry point: everything testable lives in cli.ts.
import { workerModuleBeside } from '@spert/batch';
import { runCliMain } from '@spert/core';
import { runServe } from './cli';

const workerFile = workerModuleBeside('predict-worker');

runCliMain('spert-serve', async () => {
  await runServe({ argv: process.argv, workerFile });
});
