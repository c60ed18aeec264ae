#!/usr/bin/env node
import { runEvalCli } from './cli';

runEvalCli(process.argv.slice(2))
  .then((out) => process.stdout.write(out))
  .catch((e: unknown) => {
    const err = e as { code?: string; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
    process.stderr.write(`spert-eval: ${err.message ?? String(e)}\n`);
    process.exit(1);
  });
