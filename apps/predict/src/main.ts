#!/usr/bin/env node
// spert-predict entry point: everything testable lives in cli.ts.
import { existsSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { runCliMain } from '@spert/core';
import { runPredict } from './cli';

// The worker module sits beside this file with the same extension: dist/worker.cjs when built,
// src/worker.ts under tsx. Through the bin shim (`npx spert-predict`), argv[1] is
// bin/spert-predict.js: the worker is then picked as the shim picks this file (source in a clone).
function workerModule(): string {
  const self = realpathSync(process.argv[1] as string);
  const dir = path.dirname(self);
  if (path.basename(dir) !== 'bin') return path.join(dir, `worker${path.extname(self)}`);
  const source = path.join(dir, '..', 'src', 'worker.ts');
  return existsSync(source) ? source : path.join(dir, '..', 'dist', 'worker.cjs');
}
const workerFile = workerModule();

runCliMain('spert-predict', async () => {
  await runPredict({ argv: process.argv, workerFile });
  process.exit(0);
});
