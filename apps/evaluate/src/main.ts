#!/usr/bin/env node
import { LENIENT_FLAG_HINT, runCliMain } from '@spert/core';
import { runEvalCli } from './cli';

runCliMain(
  'spert-eval',
  async () => {
    process.stdout.write(await runEvalCli(process.argv.slice(2)));
  },
  { lenientHint: LENIENT_FLAG_HINT },
);
