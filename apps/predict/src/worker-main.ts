#!/usr/bin/env node
// spert-worker entry point: everything testable lives in worker-cli.ts.
import { runCliMain } from '@spert/core';
import { runWorker } from './worker-cli';

runCliMain('spert-worker', async () => {
  const worker = await runWorker({ argv: process.argv });
  await worker.closed;
  process.exit(0);
});
