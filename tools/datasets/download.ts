// `npm run download -- <dataset...> [--out DIR]`: fetches SpERT's public copies of CoNLL04,
// SciERC or ADE, validates them and writes them atomically (thin CLI over @spert/core).
import * as path from 'node:path';
import { Command } from 'commander';
import { DATASET_NAMES, downloadDataset, isDatasetName, userDatasetDir } from '@spert/core';

/** Parses the command line and downloads each named dataset; exit code 1 on failure. */
async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('download')
    .usage(`<${DATASET_NAMES.join('|')}...> [--out DIR]`)
    .description('Download SpERT datasets (validated, written atomically).')
    .arguments('<datasets...>')
    .option('-o, --out <dir>', 'output directory (default: data/datasets/<name>; with several datasets: <dir>/<name>)')
    .option('--base-url <url>', 'server to download from (default: the reference\'s public copies)');
  program.parse(argv);
  const names = program.args;
  const opts = program.opts() as { out?: string; baseUrl?: string };
  if (names.length === 0) program.help();
  const unknown = names.filter((n) => !isDatasetName(n));
  if (unknown.length > 0) throw new Error(`unknown dataset(s): ${unknown.join(', ')} (known: ${DATASET_NAMES.join(', ')})`);
  for (const name of names) {
    const outDir = opts.out
      ? names.length > 1 ? path.join(opts.out, name) : opts.out
      : userDatasetDir(name);
    const r = await downloadDataset({
      name,
      outDir,
      baseUrl: opts.baseUrl,
      onProgress: (p) => {
        if (p.phase === 'done') console.log(`  [${p.index + 1}/${p.total}] ${p.file} (${((p.bytes ?? 0) / 1024).toFixed(0)} KiB)`);
      },
    });
    console.log(`${name}: ${r.files.length} files written to ${path.resolve(r.dir)}`);
  }
}

main(process.argv).catch((err: unknown) => {
  console.error(`download failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
