#!/usr/bin/env node
// spert-pretrain: runs src/pretrain/main.ts in a clone (no build needed), dist/pretrain/main.cjs in an installed package.
import { runEntry } from '@spert/core/run-entry';

await runEntry(import.meta.url, 'pretrain/main');
