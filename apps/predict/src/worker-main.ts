#!/usr/bin/env node
// spert-worker entry point: everything testable lives in worker-cli.ts.
import { runWorker } from './worker-cli';

runWorker({ argv: process.argv }).then(
  (w) => w.closed.then(() => process.exit(0)),
  (err: unknown) => {
    const e = err as { code?: string; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
    if (!(e.code ?? '').startsWith('commander.')) console.error(`spert-worker: ${e.message ?? String(err)}`);
    process.exit(1);
  },
);
