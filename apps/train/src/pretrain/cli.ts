import { Command } from 'commander';
import { BACKEND_NAMES } from '@spert/backend';
import { integerOption, numberOption, silentCommanderOutput, SpertError } from '@spert/core';
import { describeScratchFamilies } from '@spert/model';
import { readConfigFile } from '../options';
import { addRunFlags } from '../shared-settings';
import { PretrainConfigSchema, resolvePretrainConfig, type PretrainConfig } from './options';

const D = PretrainConfigSchema.parse({ corpus: ['-'] });

/** What `spert-pretrain --export-checkpoint` asks for. */
export interface PretrainExportRequest {
  out: string;
  /** The checkpoint's step; undefined = the newest. */
  step?: number;
  backend?: PretrainConfig['backend'];
}

const isBackendName = (name: string): name is PretrainConfig['backend'] => (BACKEND_NAMES as readonly string[]).includes(name);

/** Parses `spert-pretrain` arguments: a pre-training configuration, or a request to export one of a run's checkpoints. */
export function parsePretrainCommand(argv: string[]): { train: PretrainConfig } | { export: PretrainExportRequest } {
  if (!argv.includes('--export-checkpoint')) return { train: parsePretrainArgs(argv) };
  // Its own small command: the run's settings come from <out>/pretrain_config.json, so any
  // training flag beside it would be ignored; commander refuses them instead.
  const program = new Command('spert-pretrain')
    .requiredOption('--export-checkpoint <step>')
    .option('--out <dir>', '', D.out)
    .option('--backend <name>');
  program.exitOverride().configureOutput(silentCommanderOutput);
  try {
    program.parse(['node', 'spert-pretrain', ...argv]);
  } catch (e) {
    throw new SpertError('INVALID_OPTION', `--export-checkpoint takes only --out <run dir> and --backend <name> beside it (the run's own settings are read from <out>/pretrain_config.json): ${(e as Error).message.replace(/^error: /, '')}`);
  }
  if (program.args.length > 0) throw new SpertError('INVALID_OPTION', `--export-checkpoint: unexpected argument "${program.args[0]}"`);
  const { exportCheckpoint: value, out, backend } = program.opts<{ exportCheckpoint: string; out: string; backend?: string }>();
  const step = value === 'latest' ? undefined : Number(value);
  if (step !== undefined && !(Number.isInteger(step) && step >= 0)) throw new SpertError('INVALID_OPTION', `--export-checkpoint expects a step number or "latest", got ${JSON.stringify(value)}`);
  if (backend !== undefined && !isBackendName(backend)) throw new SpertError('INVALID_OPTION', `--backend ${backend}: expected one of ${BACKEND_NAMES.join(', ')}`);
  return { export: { out, step, backend } };
}

/** Parses `spert-pretrain` arguments (argv without node and script) into a validated configuration. */
export function parsePretrainArgs(argv: string[]): PretrainConfig {
  const program = new Command('spert-pretrain')
    .description(
      'Pre-train an encoder by masked language modelling on unlabeled text: from scratch (a tokenizer trained on the corpus and a random encoder) ' +
        'or from any checkpoint of a registered family (domain adaptation). The result, <out>/encoder, is what `spert-train --encoder` fine-tunes ' +
        'and what transformers\' AutoModelForMaskedLM reads.',
    )
    .usage('--corpus <files...> [options]')
    .option('--config <file>', 'JSON file with any of the options below (camelCase keys); flags override it')
    .option('--corpus <paths...>', 'corpus files or directories: text (one document per line, or --text-mode paragraph), JSONL with a text field, .gz of either, SpERT JSON datasets (their words)')
    .option('--validation-corpus <paths...>', 'held-out text for validation loss and masked-token accuracy (default: a seeded share of --corpus)')
    .option('--validation-fraction <x>', `share of the corpus's documents held out for validation (${D.validationFraction}); 0 = none`, numberOption('--validation-fraction'))
    .option('--text-mode <mode>', `plain text: line (one document per line) | paragraph (blank-line separated) (${D.textMode})`)
    .option('--text-field <name>', `JSONL: the field holding the text (${D.textField})`)
    .option('--encoder <dirOrId>', 'continue pre-training this checkpoint (directory or Hub id; its masked-LM head is reused when it has one)')
    .option('--family <name>', `from scratch: ${describeScratchFamilies()}; default bert`)
    .option('--hidden-size <n>', `from scratch: hidden size (${D.hiddenSize})`, integerOption('--hidden-size'))
    .option('--layers <n>', `from scratch: layers (${D.layers})`, integerOption('--layers'))
    .option('--heads <n>', `from scratch: attention heads (${D.heads})`, integerOption('--heads'))
    .option('--intermediate-size <n>', `from scratch: feed-forward size (${D.intermediateSize})`, integerOption('--intermediate-size'))
    .option('--max-vocab <n>', `from scratch: vocabulary size trained on the corpus (${D.maxVocab})`, integerOption('--max-vocab'))
    .option('--max-positions <n>', `from scratch: longest input the encoder accepts, for fine-tuning too (${D.maxPositions})`, integerOption('--max-positions'))
    .option('--lowercase', 'from scratch: lower-case the corpus for the tokenizer')
    .option('--max-length <n>', `subwords per packed sequence, special tokens included (${D.maxLength})`, integerOption('--max-length'))
    .option('--mask-probability <x>', `share of subwords predicted; of them 80% [MASK], 10% random, 10% kept (${D.maskProbability})`, numberOption('--mask-probability'))
    .option('--no-whole-word', 'mask single subwords instead of whole words')
    .option('--epochs <n>', `passes over the corpus (${D.epochs}); new masks every epoch`, integerOption('--epochs'))
    .option('--max-steps <n>', 'updates to run (overrides --epochs; the schedule spans them)', integerOption('--max-steps'))
    .option('--batch-size <n>', `sequences per forward pass (${D.batchSize})`, integerOption('--batch-size'))
    .option('--accumulate <n>', `forward passes per update (${D.accumulate}): an update sees batch-size x accumulate sequences`, integerOption('--accumulate'))
    .option('--lr <x>', `peak learning rate (${D.lr})`, numberOption('--lr'))
    .option('--lr-warmup <x>', `warmup fraction of all updates (${D.lrWarmup})`, numberOption('--lr-warmup'))
    .option('--weight-decay <x>', `AdamW weight decay (${D.weightDecay})`, numberOption('--weight-decay'))
    .option('--max-grad-norm <x>', `gradient clipping (${D.maxGradNorm})`, numberOption('--max-grad-norm'))
    .option('--checkpoint-every <n>', `updates between checkpoints, besides one per epoch and one on Ctrl-C (${D.checkpointEvery})`, integerOption('--checkpoint-every'))
    .option('--eval-every <n>', 'updates between validations (loss and masked-token accuracy), besides one per epoch; 0 = epoch ends only (default: --checkpoint-every)', integerOption('--eval-every'))
    .option('--seed <n>', `seed of initialisation, split, masking, dropout and batch order (${D.seed})`, integerOption('--seed'))
    .option('--export-checkpoint <step>', 'instead of training: write <out>/encoder-step-N from checkpoint N (a step number, or "latest") of the run in --out, with its validation loss and accuracy, for spert-train --encoder');
  addRunFlags(program, `run directory: encoder/, data/, checkpoints/, log/ (${D.out})`);
  program.exitOverride().configureOutput(silentCommanderOutput);
  program.parse(['node', 'spert-pretrain', ...argv]);
  if (program.args.length > 0) throw new SpertError('INVALID_OPTION', `unexpected argument "${program.args[0]}" (corpus files go after --corpus; see spert-pretrain --help)`);
  const { config: configFile, wholeWord, progress, ...flags } = program.opts() as Record<string, unknown>;
  void wholeWord;
  void progress;
  // commander's --no-* flags default to true; only an explicit flag counts, so a config file can set them.
  const explicit = { wholeWord: argv.includes('--no-whole-word') ? false : undefined, progress: argv.includes('--no-progress') ? false : undefined };
  return resolvePretrainConfig([configFile ? readConfigFile(String(configFile)) : undefined, { ...flags, ...explicit }], configFile ? String(configFile) : undefined);
}
