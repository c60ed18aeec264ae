#!/usr/bin/env node
// spert-predict entry point: everything testable lives in cli.ts.
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { runPredict } from './cli';

// The worker module sits beside this file with the same extension: dist/worker.cjs when built,
// src/worker.ts under tsx (whose loader the worker threads inherit through execArgv).
const self = realpathSync(process.argv[1] as string);
const workerFile = path.join(path.dirname(self), `worker${path.extname(self)}`);

runPredict({ argv: process.argv, workerFile }).then(
  () => process.exit(0),
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
    if (!(e.code ?? '').startsWith('commander.')) console.error(`spert-predict: ${e.message ?? String(err)}`);
    process.exit(1);
  },
);
