#!/usr/bin/env node
// spert-export: runs src/main.ts in a clone (no build needed), dist/main.cjs in an installed package.
import { runEntry } from '@spert/core/run-entry';

await runEntry(import.meta.url, 'main');
