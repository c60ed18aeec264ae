// `nx build @spert/web`, second step: the browser bundle into dist/browser (tsup builds the Node entry first).
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildBrowserBundle } from '../src/bundle';
import { BUILT_BUNDLE_DIR } from '../src/static-folder';

buildBrowserBundle({ outDir: BUILT_BUNDLE_DIR })
  .then((b) => {
    for (const f of b.files) console.log(`${path.relative(BUILT_BUNDLE_DIR, f.file)}: ${(f.bytes / 1024).toFixed(1)} KB, ${(gzipSync(readFileSync(f.file)).length / 1024).toFixed(1)} KB gzipped`);
  })
  .catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
