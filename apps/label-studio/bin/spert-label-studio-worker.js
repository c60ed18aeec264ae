#!/usr/bin/env node
// spert-label-studio-worker: runs src/worker-main.ts in a clone (no build needed), dist/worker-main.cjs in an installed package.
import { runEntry } from '@spert/core/run-entry';

await runEntry(import.meta.url, 'worker-main');
