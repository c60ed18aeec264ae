#!/usr/bin/env node
// spert-data entry point: everything testable lives in cli.ts.
import { runCliMain } from '@spert/core';
import { runDataCli } from './cli';

runCliMain('spert-data', async () => {
  process.stdout.write(await runDataCli(process.argv.slice(2)));
});
