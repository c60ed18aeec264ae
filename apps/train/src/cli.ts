import { PIPELINE_DEFAULTS } from '@spert/pipeline';
import { SPERT_TRAINING_DEFAULTS as T } from '@spert/trainer';
import { Command } from 'commander';
import { integerOption, numberOption, SETTING_CHOICES, silentCommanderOutput, SPERT_DEFAULTS, SpertError } from '@spert/core';
import { describeScratchFamilies } from '@spert/model';
import { QUICKSTART, readConfigFile, resolveConfig, type TrainConfig } from './options';
import { addRunFlags } from './shared-settings';


/** Parses `spert-train` arguments (argv without node and script) into a validated configuration. */
export function parseTrainArgs(argv: string[]): TrainConfig {
  const program = new Command('spert-train')
    .description('Train a SpERT model (defaults: the reference configuration; `quickstart` = small scratch model on CoNLL04)')
    .usage('[quickstart] [options]')
    .argument('[preset]', '"quickstart": the small scratch model of `npm start`')
    .option('--config <file>', 'JSON file with any of the options below (camelCase keys); flags override it')
    .option('--dataset <name>', 'conll04 | scierc | ade: found in ../shared/datasets or ./data/datasets, else downloaded')
    .option('--train <file>', 'training set (SpERT JSON)')
    .option('--valid <file>', 'validation set evaluated at the end')
    .option('--types <file>', 'types file (its order fixes the class indices)')
    .option('--encoder <dirOrId>', 'BERT-family checkpoint directory or Hub id (default: a random encoder built from the training words)')
    .option('--family <name>', `random encoder: ${describeScratchFamilies()}; default bert; not with --encoder`)
    .option('--hidden-size <n>', 'random encoder: hidden size', integerOption('--hidden-size'))
    .option('--layers <n>', 'random encoder: layers', integerOption('--layers'))
    .option('--heads <n>', 'random encoder: attention heads', integerOption('--heads'))
    .option('--intermediate-size <n>', 'random encoder: feed-forward size', integerOption('--intermediate-size'))
    .option('--max-vocab <n>', 'random encoder: largest vocabulary built from the training words', integerOption('--max-vocab'))
    .option('--lowercase', 'lower-case words before WordPiece (overrides the checkpoint, like the reference)')
    .option('--allow-non-finite', '--encoder: load weights holding NaN or infinite values (refused by default, naming the tensors)')
    .option('--epochs <n>', `epochs (${T.epochs})`, integerOption('--epochs'))
    .option('--batch-size <n>', `training documents per batch (${T.batchSize})`, integerOption('--batch-size'))
    .option('--eval-batch-size <n>', `documents per inference pass (${PIPELINE_DEFAULTS.batchSize})`, integerOption('--eval-batch-size'))
    .option('--lr <x>', `peak learning rate (${T.lr})`, numberOption('--lr'))
    .option('--lr-warmup <x>', `warmup fraction of all updates (${T.lrWarmup})`, numberOption('--lr-warmup'))
    .option('--weight-decay <x>', `AdamW weight decay (${T.weightDecay})`, numberOption('--weight-decay'))
    .option('--max-grad-norm <x>', `gradient clipping (${T.maxGradNorm})`, numberOption('--max-grad-norm'))
    .option('--neg-entity-count <n>', `negative spans per document (${T.negEntityCount})`, integerOption('--neg-entity-count'))
    .option('--neg-relation-count <n>', `strong negative pairs per document (${T.negRelationCount})`, integerOption('--neg-relation-count'))
    .option('--max-span-size <n>', `longest candidate span in words (${SPERT_DEFAULTS.maxSpanSize})`, integerOption('--max-span-size'))
    .option('--size-embedding <n>', `width embedding size (${SPERT_DEFAULTS.sizeEmbedding})`, integerOption('--size-embedding'))
    .option('--prop-drop <x>', `dropout on the heads' inputs (${SPERT_DEFAULTS.propDrop})`, numberOption('--prop-drop'))
    .option('--rel-filter-threshold <x>', `relation sigmoid threshold (${SPERT_DEFAULTS.relFilterThreshold})`, numberOption('--rel-filter-threshold'))
    .option('--max-pairs <n>', `relation candidates per chunk (${SPERT_DEFAULTS.maxPairs})`, integerOption('--max-pairs'))
    .option('--relation-negatives <kind>', `ablation: negative pairs from gold entities only or from all sample spans: ${SETTING_CHOICES.relationNegatives.join(' | ')} (${SPERT_DEFAULTS.relationNegatives})`)
    .option('--relation-context <kind>', `ablation: the relation classifier's context: ${SETTING_CHOICES.relationContext.join(' | ')} (${SPERT_DEFAULTS.relationContext})`)
    .option('--span-pooling <kind>', `ablation: fusion of a span's wordpieces: ${SETTING_CHOICES.spanPooling.join(' | ')} (${SPERT_DEFAULTS.spanPooling})`)
    .option('--relation-entity-types <kind>', `the relation classifier also reads a learned embedding of both entity types (gold in training, predicted at inference; SpERT.PL): ${SETTING_CHOICES.relationEntityTypes.join(' | ')} (${SPERT_DEFAULTS.relationEntityTypes})`)
    .option('--type-embedding-size <n>', `width of that entity-type embedding (${SPERT_DEFAULTS.typeEmbedding})`, integerOption('--type-embedding-size'))
    .option('--relation-type-constraints <kind>', `train: emit only (head type, relation, tail type) triples seen in the training set, and draw negative pairs among type pairs that carry a relation first: ${SETTING_CHOICES.relationTypeConstraints.join(' | ')} (${SPERT_DEFAULTS.relationTypeConstraints})`)
    .option('--tune-thresholds', 'after training, choose the relation threshold (global and per type) that maximises relation F1 on --tune-set, store it in config.json, print the curve')
    .option('--tune-set <file>', "development set for --tune-thresholds (default: the dataset's dev split; never the --valid set)")
    .option('--freeze-encoder', 'train only the heads')
    .option('--eval-every-epoch', 'evaluate after every epoch (default: only after the last, as the reference)')
    .option('--no-overlapping', 'evaluate without overlapping entities (ADE)')
    .option('--limit-train <n>', 'use only the first N training documents', integerOption('--limit-train'))
    .option('--seed <n>', `seed of initialisation, sampling and batch order (${T.seed})`, integerOption('--seed'))
    .option('--checkpoint-every <steps>', 'also write a checkpoint every N optimizer steps (default: after each epoch only)', integerOption('--checkpoint-every'))
    .option('--lenient', 'skip invalid documents in the training and validation sets (reported: how many and why) instead of stopping');
  addRunFlags(program, 'run directory: model/, eval/, log/, checkpoints/ (runs/spert)');
  // Errors are thrown, not printed: the entry point prints each as one line (see cliFailure).
  program.exitOverride().configureOutput(silentCommanderOutput);
  program.parse(['node', 'spert-train', ...argv]);
  const o = program.opts() as Record<string, unknown>;
  const preset = program.args[0] === 'quickstart' ? QUICKSTART : undefined;
  if (program.args.length > 0 && program.args[0] !== 'quickstart') throw new SpertError('INVALID_OPTION', `unknown command "${program.args[0]}" (only "quickstart"; see spert-train --help)`);
  const { config: configFile, overlapping, progress, ...flags } = o;
  // commander's --no-* flags default to true; only an explicit flag counts.
  const noOverlapping = argv.includes('--no-overlapping') ? true : undefined;
  const noProgress = argv.includes('--no-progress') ? false : undefined;
  void overlapping;
  void progress;
  return resolveConfig(
    [preset, configFile ? readConfigFile(String(configFile)) : undefined, { ...flags, noOverlapping, progress: noProgress }],
    configFile ? String(configFile) : undefined,
  );
}
