#!/usr/bin/env node
// spert-experiment: runs src/experiment/main.ts in a clone (no build needed), dist/experiment/main.cjs in an installed package.
import { runEntry } from '@spert/core/run-entry';

await runEntry(import.meta.url, 'experiment/main');
