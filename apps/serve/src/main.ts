#!/usr/bin/env node
// spert-serve entry point: everything testable lives in cli.ts.
import { runCliMain } from '@spert/core';
import { runServe } from './cli';

runCliMain('spert-serve', async () => {
  await runServe({ argv: process.argv });
});
