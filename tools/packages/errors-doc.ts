// Writes docs/errors.md from the codes table of @spert/core (`npm run docs:errors`); `--check`
// only compares and exits 1 when the page is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { errorCodesPage } from '@spert/core';
import { WORKSPACE_ROOT } from './workspace';

const file = path.join(WORKSPACE_ROOT, 'docs', 'errors.md');
const page = errorCodesPage();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // a missing page is stale too
  }
  if (current !== page) {
    process.stderr.write(`${path.relative(WORKSPACE_ROOT, file)} is stale: run npm run docs:errors and commit it\n`);
    process.exit(1);
  }
} else {
  writeFileSync(file, page);
  process.stdout.write(`wrote ${path.relative(WORKSPACE_ROOT, file)}\n`);
}
