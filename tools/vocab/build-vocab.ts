// `npx tsx tools/vocab/build-vocab.ts <dataset.json...> --out vocab.txt [--max-size N]
//  [--min-frequency N] [--lowercase] [--special-tokens LIST]`: a WordPiece vocab.txt laid out like
// the project's fixtures (special tokens, characters, ##characters, words by frequency).
import { Command } from 'commander';
import { runBuildVocab } from './run-build-vocab';

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Parses the command line, builds and writes the vocabulary; exit code 1 on failure. */
async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('build-vocab')
    .usage('<dataset.json...> --out vocab.txt [options]')
    .description('Build a WordPiece vocab.txt from the words of SpERT dataset files.')
    .arguments('<datasets...>')
    .option('-o, --out <file>', 'output vocab.txt (required)')
    .option('--max-size <n>', 'largest vocabulary size (whole words are cut by frequency)')
    .option('--min-frequency <n>', 'leave out whole words seen fewer times (default 1)')
    .option('--lowercase', 'build an uncased vocabulary (lower-case, strip accents)')
    .option('--special-tokens <list>', 'comma-separated special tokens (default [PAD],[UNK],[CLS],[SEP],[MASK])');
  program.parse(argv);
  const files = program.args;
  const o = program.opts() as { out?: string; maxSize?: string; minFrequency?: string; lowercase?: boolean; specialTokens?: string };
  if (files.length === 0 || !o.out) program.help();
  const r = await runBuildVocab({
    files,
    out: o.out as string,
    maxSize: positiveInt('--max-size', o.maxSize),
    minFrequency: positiveInt('--min-frequency', o.minFrequency),
    lowercase: o.lowercase ?? false,
    specialTokens: o.specialTokens?.split(','),
  });
  console.log(`${o.out}: ${r.size} entries from ${r.words} words of ${r.documents} documents`);
}

main(process.argv).catch((err: unknown) => {
  console.error(`build-vocab failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
