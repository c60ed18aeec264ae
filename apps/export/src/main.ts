#!/usr/bin/env node
// spert-export entry point: everything testable lives in cli.ts.
import { runCliMain } from '@spert/core';
import { runExport } from './cli';

runCliMain('spert-export', async () => {
  await runExport(process.argv);
});
