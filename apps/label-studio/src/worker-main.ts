#!/usr/bin/env node
// spert-label-studio-worker entry point: everything testable lives in worker-cli.ts.
import { runCliMain } from '@spert/core';
import { runTrainWorker } from './worker-cli';

runCliMain('spert-label-studio-worker', async () => {
  const worker = await runTrainWorker({ argv: process.argv });
  await worker.closed;
  process.exit(0);
});
