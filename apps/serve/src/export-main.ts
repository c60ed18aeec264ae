#!/usr/bin/env node
// spert-export entry point: everything testable lives in export-cli.ts.
import { runExport } from './export-cli';

runExport(process.argv).catch((err: unknown) => {
  const e = err as { code?: string; message?: string };
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
  if (!(e.code ?? '').startsWith('commander.')) console.error(`spert-export: ${e.message ?? String(err)}`);
  process.exit(1);
});
