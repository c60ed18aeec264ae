// `npx tsx tools/reference/score-predictions.ts --types TYPES.json --gold GOLD.json PREDICTIONS.json...`
// Our evaluator on predictions files (ours or the reference's store_predictions output), with and
// without no_overlapping, as JSON in the layout ref_eval.py prints (micro P/R/F1, macro P/R/F1,
// in percent, as the evaluator reports them), so the two evaluators can be compared on the same files.
import { Command } from 'commander';
import { readDataset, readTypes } from '@spert/core';
import { evaluate, type SettingResult } from '@spert/evaluator';

const six = (s: SettingResult): number[] => [s.micro.precision, s.micro.recall, s.micro.f1, s.macro.precision, s.macro.recall, s.macro.f1];

/** Prints {file: {all: {ner, rel, rel_nec}, no_overlapping: {...}}}. */
async function main(argv: string[]): Promise<void> {
  const program = new Command().requiredOption('--types <file>').requiredOption('--gold <file>').argument('<predictions...>').parse(argv);
  const o = program.opts<{ types: string; gold: string }>();
  const types = await readTypes({ path: o.types });
  const gold = (await readDataset({ path: o.gold, types })).documents;
  const out: Record<string, unknown> = {};
  for (const file of program.args) {
    const predicted = (await readDataset({ path: file, types })).documents;
    const both: Record<string, unknown> = {};
    for (const noOverlapping of [false, true]) {
      const r = evaluate({ gold, predicted, types, noOverlapping });
      both[noOverlapping ? 'no_overlapping' : 'all'] = { ner: six(r.ner), rel: six(r.rel), rel_nec: six(r.relNec) };
    }
    out[file] = both;
  }
  console.log(JSON.stringify(out, null, 1));
}

main(process.argv).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
