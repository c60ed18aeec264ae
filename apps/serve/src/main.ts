#!/usr/bin/env node
// spert-serve entry point: everything testable lives in cli.ts.
import { runServe } from './cli';

runServe({ argv: process.argv }).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  // commander already printed help/version or its own error message.
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
  if (!(e.code ?? '').startsWith('commander.')) console.error(`spert-serve: ${e.message ?? String(err)}`);
  process.exit(1);
});
