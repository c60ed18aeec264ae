#!/usr/bin/env node
// spert-export: runs src/export-main.ts in a clone (no build needed), dist/export-main.cjs in an installed package.
import { runEntry } from '@spert/core/run-entry';

await runEntry(import.meta.url, 'export-main');
