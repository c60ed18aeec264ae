import { Command, Option } from 'commander';
import { PIPELINE_DEFAULTS, TOO_LONG_POLICIES, type TooLongPolicy } from '@spert/pipeline';
import { ENTITIES_MODES, integerOption, silentCommanderOutput, SpertError, type EntitiesMode } from '@spert/core';
import type { BackendName } from '@spert/backend';
import { evalCommand, predictCommand, type ModelOptions } from './commands';

/** The options both commands share, from commander's parsed values. */
const modelOptions = (o: Record<string, unknown>): Omit<ModelOptions, 'log'> => ({
  model: String(o.model),
  types: o.types as string | undefined,
  lowercase: o.lowercase as boolean | undefined,
  allowNonFinite: o.allowNonFinite === true,
  backend: o.backend as BackendName,
  pipeline: {
    batchSize: o.batchSize as number | undefined,
    onTooLong: o.onTooLong as TooLongPolicy | undefined,
    window: o.window as number | undefined,
    stride: o.stride as number | undefined,
    unit: o.windowUnit as 'subwords' | 'words' | undefined,
  },
  verbose: o.verbose === true,
});

/** Runs `spert-eval` with argv (without node and script); resolves to what it printed on stdout. */
export async function runEvalCli(argv: string[], log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<string> {
  let output = '';
  const program = new Command('spert-eval').description('Evaluate a SpERT model or predict with it');
  // Errors are thrown, not printed: the entry point prints each as one line (see cliFailure).
  program.exitOverride().configureOutput(silentCommanderOutput);
  // Without a command first, commander would print the whole help to stderr as the error, or
  // call the subcommands' options unknown.
  if (argv.length === 0 || (argv[0].startsWith('-') && argv[0] !== '--help' && argv[0] !== '-h')) {
    throw new SpertError('INVALID_OPTION', 'name a command: eval or predict (see spert-eval --help)');
  }
  const common = (c: Command) =>
    c
      .requiredOption('--model <dir>', 'model directory (ours, or the reference\'s with --types)')
      .option('--types <file>', 'types file (required for the reference\'s model directories)')
      .option('--lowercase', 'lower-case words before WordPiece (overrides the model)')
      .option('--allow-non-finite', 'load weights holding NaN or infinite values (refused by default, naming the tensors)')
      .option('--batch-size <n>', `documents per forward pass (${PIPELINE_DEFAULTS.batchSize})`, integerOption('--batch-size', 1))
      .addOption(new Option('--on-too-long <policy>', `documents longer than the encoder: overlapping windows, merged; an error; or trailing words dropped (${PIPELINE_DEFAULTS.onTooLong})`).choices(TOO_LONG_POLICIES))
      .option('--window <n>', 'window size for long documents, in --window-unit units (default: the encoder\'s length)', integerOption('--window', 1))
      .option('--stride <n>', 'distance between window starts (default: half the window)', integerOption('--stride', 1))
      .addOption(new Option('--window-unit <unit>', 'unit of --window and --stride (subwords)').choices(['subwords', 'words']))
      .option('--backend <name>', 'auto | tensorflow-gpu | tensorflow | wasm | cpu', 'auto')
      .option('--verbose', 'also list the backend\'s active kernel fixes at start-up')
      .exitOverride()
      .configureOutput(silentCommanderOutput);
  let action: Promise<void> | undefined;
  common(program.command('eval').description('score a model on a gold dataset (NER, relations with/without NEC, micro/macro)'))
    .requiredOption('--dataset <file>', 'gold dataset (SpERT JSON)')
    .option('--out <dir>', 'write predictions, metrics JSON/CSV, tables and the HTML page here')
    .option('--no-overlapping', 'evaluate without overlapping entities (ADE)')
    .option('--lenient', 'skip invalid gold documents (reported: how many and why) instead of stopping')
    .addOption(
      new Option(
        '--entities <mode>',
        'give the model the gold entities: "given" scores relations among exactly them (relation extraction over known entities), "merged" adds them to the predicted ones (default: predict entities)',
      ).choices(ENTITIES_MODES),
    )
    .action((o: Record<string, unknown>) => {
      action = evalCommand({
        ...modelOptions(o),
        dataset: String(o.dataset),
        entitiesMode: o.entities as EntitiesMode | undefined,
        out: o.out as string | undefined,
        noOverlapping: o.overlapping === false,
        lenient: o.lenient === true,
        log,
      }).then((tables) => {
        output = `${tables}\n`;
      });
    });
  common(program.command('predict').description('predict from a JSON array of {tokens}, word arrays or raw text strings'))
    .requiredOption('--input <file>', 'JSON array of documents')
    .requiredOption('--output <file>', 'prediction records JSON (the dataset schema with scores and covered text; raw text items get character offsets)')
    .addOption(
      new Option(
        '--entities <mode>',
        'read each document\'s "entities" ({type, start, end} word indices, or {type, charStart, charEnd} for raw text) as given entities: "given" keeps exactly them and scores relations among them, "merged" adds them to the predicted ones (default: ignore "entities" and predict)',
      ).choices(ENTITIES_MODES),
    )
    .option('--no-relations', 'entities only: the relation head is never run (faster)')
    .action((o: Record<string, unknown>) => {
      action = predictCommand({
        ...modelOptions(o),
        documents: { entitiesMode: o.entities as EntitiesMode | undefined, relations: o.relations !== false },
        input: String(o.input),
        output: String(o.output),
        log,
      }).then((p) => {
        log(`wrote ${p.length} predictions to ${String(o.output)}`);
      });
    });
  program.parse(['node', 'spert-eval', ...argv]);
  if (!action) throw new SpertError('INVALID_OPTION', 'name a command: eval or predict (see spert-eval --help)');
  await action;
  return output;
}
