#!/usr/bin/env node
import { LENIENT_FLAG_HINT, runCliMain } from '@spert/core';
import { parseExperimentArgs } from './args';
import { runExperiment } from './runner';

runCliMain(
  'spert-experiment',
  async () => {
    const parsed = parseExperimentArgs(process.argv.slice(2));
    if ('help' in parsed) {
      process.stdout.write(`${parsed.help}\n`);
      return;
    }
    const outcome = await runExperiment(parsed);
    process.stdout.write(`${outcome.tables}\n`);
    process.stderr.write(`results: ${outcome.resultsFile} (${outcome.trained.length} run(s) trained now)\n`);
  },
  { lenientHint: LENIENT_FLAG_HINT },
);
