import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseTrainArgs } from '../cli';
import { readConfigFile, type TrainConfig } from '../options';
import {
  ABLATION_VARIANTS,
  BEYOND_DATASETS,
  BEYOND_VARIANTS,
  EXPERIMENT_NAMES,
  EXPERIMENTS,
  experimentDefinition,
  isBeyondDataset,
  isExperimentName,
  SCRATCH_ENCODER_PRESET,
  SCRATCH_PRESET,
  SCRATCH_REFERENCE_PRESET,
  type AblationVariant,
  type ExperimentDefinition,
  type ExperimentName,
} from './definitions';
import { SpertError } from '@spert/core';

/** A parsed `spert-experiment` invocation. */
export interface ExperimentOptions {
  name: ExperimentName;
  /** One training per seed (per fold for ADE, per variant for the ablations). */
  seeds: number[];
  /** Train on train+dev (CoNLL04, SciERC), as the paper's final numbers. */
  final: boolean;
  /** The experiment directory: results.json, tables.md, runs/<id>/ (each run's spert-train output). */
  out: string;
  /** ADE: the folds to run (0..9). */
  folds: number[];
  /** Ablations: the variants to run, by name, in table order. */
  variants: AblationVariant[];
  /** The dataset folder (default: found like spert-train's --dataset, downloaded if absent). */
  dataDir?: string;
  /** The settings every run starts from; the runner sets each run's files, seed and directory. */
  train: TrainConfig;
}

/** What `--help` asks for: the text to print. */
export interface ExperimentHelp {
  help: string;
}

/** The help text of spert-experiment. */
export const EXPERIMENT_HELP = `Usage: spert-experiment <${EXPERIMENT_NAMES.join('|')}> [options] [spert-train options]

Runs one of the paper's experiments with spert-train and prints its tables beside the paper's numbers.
  conll04    train -> test; NER and relations (strict, with entity types), micro and macro
  scierc     train -> test; relations by boundaries (the paper's number) and strict, micro
  ade        10-fold cross-validation; macro F1 per fold, mean and std, with and without overlapping entities
  ablations  CoNLL04 train -> dev, one fixed configuration, one variant per training (see --variants)
  beyond     CoNLL04 train -> test, the switches beyond SpERT alone and together (see --variants, --dataset)

Options:
  --encoder <dirOrId>  pretrained encoder (default: bert-base-cased; scierc: allenai/scibert_scivocab_cased)
  --scratch            random encoder with a vocabulary from the training words, the measured best from scratch:
                       DeBERTa-v3 shape (--family deberta-v2), 256 x 4 layers, 4 heads, feed-forward 1024, lr 5e-4,
                       relation type constraints (beyond: not the constraints, its variants are the switches);
                       spert-train's flags override any of it
  --scratch-reference  the same size and rate as reference SpERT: BERT shape, no type constraints (what --scratch
                       meant before the Beyond SpERT measurements)
  --runs <n>           seeds 1..n (default 1; the paper averages 5)
  --seeds <list>       explicit seeds, e.g. 1,7,9 (instead of --runs)
  --final              train on train+dev (conll04, scierc), as the paper's final numbers
  --folds <list>       ade: the folds to run, e.g. 0,3 (default 0..9)
  --dataset <name>     beyond: ${BEYOND_DATASETS.join(', ')} (default conll04); scierc: train -> test, relations also by
                       boundaries; ade: fold 0 train -> test, no tuned-threshold variants (no dev split)
  --variants <list>    ablations, beyond: the variants to run (default all; ablations: ${ABLATION_VARIANTS.map((v) => v.name).join(', ')};
                       beyond: ${BEYOND_VARIANTS.map((v) => v.name).join(', ')})
  --data <dir>         the dataset folder (default: ../shared/datasets/<name>, ./data/datasets/<name>, else downloaded)
  --out <dir>          experiment directory (default runs/experiment-<name>); running again resumes it
  -h, --help           this text
Any other option is spert-train's and means what it means there (spert-train --help): --epochs, --lr,
--batch-size, --neg-entity-count, --hidden-size, --config <file>, ... The runner sets --train, --valid,
--types, --seed, --out and --resume of each run itself.`;

// spert-train flags the runner sets per run: passing them would silently be overridden.
const RUNNER_OWNED: Record<string, string> = {
  '--train': 'the experiment picks the data files (use --data for another dataset folder)',
  '--valid': 'the experiment picks the data files (use --data for another dataset folder)',
  '--types': 'the experiment picks the data files (use --data for another dataset folder)',
  '--dataset': 'the experiment names its dataset (only beyond takes --dataset)',
  '--seed': 'use --seeds or --runs',
  '--resume': 'running the same command again resumes the experiment',
  '--no-overlapping': 'ade evaluates both ways; the other datasets have no overlapping entities to remove',
};
const RUNNER_OWNED_KEYS: Record<string, string> = { train: '--train', valid: '--valid', types: '--types', dataset: '--dataset', seed: '--seed', out: '--out', resume: '--resume', noOverlapping: '--no-overlapping' };

function intList(flag: string, value: string, min: number, max: number): number[] {
  const items = value.split(',').map((s) => s.trim());
  const out: number[] = [];
  for (const s of items) {
    const n = Number(s);
    if (s === '' || !Number.isInteger(n) || n < min || n > max) throw new SpertError('INVALID_OPTION', `${flag}: "${s}" is not an integer from ${min} to ${max} (got "${value}")`);
    if (out.includes(n)) throw new SpertError('INVALID_OPTION', `${flag}: ${n} is listed twice (got "${value}")`);
    out.push(n);
  }
  return out;
}

/**
 * Parses `spert-experiment` arguments (argv without node and script). Its own flags are taken
 * out; every other one goes to spert-train's parser, over the experiment's preset (written as a
 * config file so that the precedence is spert-train's: defaults < preset < --config < flags).
 */
export function parseExperimentArgs(argv: string[], options: { variants?: AblationVariant[] } = {}): ExperimentOptions | ExperimentHelp {
  if (argv.includes('--help') || argv.includes('-h')) return { help: EXPERIMENT_HELP };
  const [name, ...rest] = argv;
  if (name === undefined || name.startsWith('-')) throw new SpertError('INVALID_OPTION', `name the experiment first: spert-experiment <${EXPERIMENT_NAMES.join('|')}> [options] (see spert-experiment --help)`);
  if (!isExperimentName(name)) throw new SpertError('INVALID_OPTION', `unknown experiment "${name}": the experiments are ${EXPERIMENT_NAMES.join(', ')} (see spert-experiment --help)`);
  const values: Record<string, string> = {};
  let scratch: '--scratch' | '--scratch-reference' | undefined;
  let final = false;
  const forwarded: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === '--scratch' || flag === '--scratch-reference' || flag === '--final') {
      if (eq > 0) throw new SpertError('INVALID_OPTION', `${flag} takes no value (got "${arg}")`);
      if (flag === '--final') final = true;
      else if (scratch !== undefined && scratch !== flag) throw new SpertError('INVALID_OPTION', '--scratch and --scratch-reference exclude each other: the measured best or reference SpERT');
      else scratch = flag;
    } else if (['--encoder', '--runs', '--seeds', '--folds', '--variants', '--data', '--out', '--config'].includes(flag) || (flag === '--dataset' && name === 'beyond')) {
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new SpertError('INVALID_OPTION', `${flag} needs a value (see spert-experiment --help)`);
      if (values[flag] !== undefined) throw new SpertError('INVALID_OPTION', `${flag} is given twice`);
      values[flag] = value;
    } else if (RUNNER_OWNED[flag]) {
      throw new SpertError('INVALID_OPTION', `${flag} is not an experiment option: ${RUNNER_OWNED[flag]}`);
    } else {
      forwarded.push(arg);
    }
  }

  const dataset = values['--dataset'];
  if (dataset !== undefined && !isBeyondDataset(dataset)) throw new SpertError('INVALID_OPTION', `--dataset: unknown dataset "${dataset}" (beyond runs on ${BEYOND_DATASETS.join(', ')})`);
  const def = experimentDefinition(name, dataset);
  if (scratch && values['--encoder']) throw new SpertError('INVALID_OPTION', `${scratch} and --encoder exclude each other: a run trains either a random encoder or a pretrained one`);
  if (final && def.finalRefused) throw new SpertError('INVALID_OPTION', `--final does not apply to ${name}: ${def.finalRefused}`);
  if (values['--runs'] && values['--seeds']) throw new SpertError('INVALID_OPTION', '--runs and --seeds exclude each other: --runs N means seeds 1..N');
  const having = (has: (d: ExperimentDefinition) => unknown) => EXPERIMENT_NAMES.filter((n) => has(EXPERIMENTS[n])).join(', ');
  if (values['--folds'] && !def.folds) throw new SpertError('INVALID_OPTION', `--folds applies to ${having((d) => d.folds)} only (this is ${name})`);
  if (values['--variants'] && !def.variants) throw new SpertError('INVALID_OPTION', `--variants applies to ${having((d) => d.variants)} only (this is ${name})`);

  const seeds = values['--seeds']
    ? intList('--seeds', values['--seeds'], -2147483648, 2147483647)
    : Array.from({ length: values['--runs'] ? intList('--runs', values['--runs'], 1, 1000)[0] : 1 }, (_, k) => k + 1);
  const folds = def.folds ? (values['--folds'] ? intList('--folds', values['--folds'], Math.min(...def.folds), Math.max(...def.folds)) : def.folds) : [];
  let variants: AblationVariant[] = [];
  if (def.variants) {
    const table = options.variants ?? def.variants.table;
    const wanted = values['--variants'] ? values['--variants'].split(',').map((s) => s.trim()) : table.map((v) => v.name);
    variants = wanted.map((w) => {
      const v = table.find((x) => x.name === w);
      // ADE's table leaves out the tuned-threshold variants: say why instead of calling them unknown.
      const why = BEYOND_VARIANTS.some((x) => x.name === w) && name === 'beyond' ? `; ${def.dataset} has no dev split to tune thresholds on` : '';
      if (!v) throw new SpertError('INVALID_OPTION', `--variants: unknown variant "${w}" (known: ${table.map((x) => x.name).join(', ')}${why})`);
      return v;
    });
    if (new Set(wanted).size !== wanted.length) throw new SpertError('INVALID_OPTION', `--variants: a variant is listed twice (got "${values['--variants']}")`);
  }

  const file = values['--config'] ? readConfigFile(values['--config']) : {};
  for (const [key, flag] of Object.entries(RUNNER_OWNED_KEYS)) {
    if (file[key] !== undefined) throw new SpertError('INVALID_OPTION', `${values['--config']}: "${key}" is set per run by spert-experiment (${flag === '--out' ? 'use --out' : RUNNER_OWNED[flag]})`);
  }
  if (scratch && file.encoder !== undefined) throw new SpertError('INVALID_OPTION', `${scratch}, but ${values['--config']} sets "encoder"`);
  const encoder = scratch ? undefined : (values['--encoder'] ?? (typeof file.encoder === 'string' ? file.encoder : def.defaultEncoder));
  // beyond's reference row must stay reference SpERT: --scratch gives it the encoder, not the switches.
  const scratchPreset = scratch === '--scratch-reference' ? SCRATCH_REFERENCE_PRESET : scratch === '--scratch' ? (name === 'beyond' ? SCRATCH_ENCODER_PRESET : SCRATCH_PRESET) : {};
  const preset: Record<string, unknown> = { dataset: def.dataset, ...scratchPreset, ...file, encoder };
  const dir = mkdtempSync(path.join(tmpdir(), 'spert-experiment-'));
  const presetFile = path.join(dir, `${name}-preset.json`);
  let train: TrainConfig;
  try {
    writeFileSync(presetFile, JSON.stringify(preset));
    train = parseTrainArgs(['--config', presetFile, ...forwarded]);
  } catch (e) {
    // The preset file is an implementation detail: name the settings the user gave instead.
    const message = (e as Error).message.split(presetFile).join(`the ${name} settings (preset${values['--config'] ? `, ${values['--config']}` : ''} and flags)`);
    throw Object.assign(new Error(message), { code: (e as { code?: unknown }).code, exitCode: (e as { exitCode?: unknown }).exitCode });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const defaultOut = path.join('runs', `experiment-${name}${dataset === undefined || dataset === 'conll04' ? '' : `-${dataset}`}`);
  return { name, seeds, final, out: values['--out'] ?? defaultOut, folds, variants, dataDir: values['--data'], train };
}
