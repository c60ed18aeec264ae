#!/usr/bin/env node
import { runDataCli } from './cli';

runDataCli(process.argv.slice(2))
  .then((out) => process.stdout.write(out))
  .catch((e: unknown) => {
    const err = e as { code?: string; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
    process.stderr.write(`spert-data: ${err.message ?? String(e)}\n`);
    process.exit(1);
  });
