import type { DatasetLayout, DatasetName } from '@spert/core';
import type { TrainConfig } from '../options';

/** The experiments `spert-experiment` runs: the paper's three datasets, the CoNLL04 ablations and the switches beyond SpERT. */
export const EXPERIMENT_NAMES = ['conll04', 'scierc', 'ade', 'ablations', 'beyond'] as const;

/** Name of an experiment. */
export type ExperimentName = (typeof EXPERIMENT_NAMES)[number];

/** Whether a string names an experiment. */
export function isExperimentName(name: string): name is ExperimentName {
  return (EXPERIMENT_NAMES as readonly string[]).includes(name);
}

/** Which evaluation, which average, which score: one cell of a results table. */
export interface MetricRef {
  setting: 'ner' | 'rel' | 'rel_nec';
  average: 'micro' | 'macro';
  /** The ADE "without overlapping entities" evaluation of the same predictions. */
  noOverlapping?: boolean;
}

/** A row of an experiment's headline table: our number beside the paper's. */
export interface HeadlineRow extends MetricRef {
  label: string;
  /** The published number (SPERT_REFERENCE.md 3.3), or null where the paper reports none. */
  paper: number | null;
}

/** One training an experiment plans: its id in results.json, its seed and files. */
export interface PlannedRun {
  id: string;
  seed: number;
  fold?: number;
  variant?: AblationVariant;
  train: string;
  valid: string;
  types: string;
  /** The development set of --tune-thresholds, from the experiment's own dataset folder. */
  tuneSet?: string;
}

/** What a plan is made from: the invocation's choices and access to the dataset folder. */
export interface PlanInput {
  seeds: number[];
  /** The chosen folds (experiments with `folds`). */
  folds: number[];
  /** The chosen variants (experiments with `variants`). */
  variants: AblationVariant[];
  /** --final: train on train+dev. */
  final: boolean;
  /** Which file of the dataset folder is which (core's `datasetLayout`). */
  layout: DatasetLayout;
  /** The path of a file of the dataset folder; throws naming it and `why` when it is missing (or the layout has none). */
  file(name: string | undefined, why: string): string;
  /** Writes the documents of several dataset files as one file `as` under the experiment folder (a train+dev set none ships); returns its path. */
  merge(names: Array<string | undefined>, as: string, why: string): Promise<string>;
}

/** What an experiment trains on, which flags apply to it and what it reports. */
export interface ExperimentDefinition {
  name: ExperimentName;
  /** The dataset folder it reads (found like spert-train's --dataset). */
  dataset: DatasetName;
  /** The paper's encoder for this dataset (a Hub id). */
  defaultEncoder: string;
  /** Rows of the headline table, in print order. */
  headline: HeadlineRow[];
  /** What the published numbers are (printed under the table). */
  paperNote: string;
  /** Why --final does not apply, when it does not. */
  finalRefused?: string;
  /** The folds --folds chooses from (all of them by default); absent: --folds does not apply. */
  folds?: number[];
  /**
   * The variants --variants chooses from (all by default; the first is the baseline of the table's
   * deltas), the note over their table, the header of the `paper` column (default "paper
   * (direction)"), whether macro F1 columns are shown and whether relations by boundaries (without
   * entity types) are shown too; absent: --variants does not apply.
   */
  variants?: { table: AblationVariant[]; note: string; source?: string; macro?: boolean; boundaries?: boolean };
  /** Also scores every run without overlapping entities (ADE's second pair of rows). */
  scoreWithoutOverlap?: boolean;
  /** The trainings of one invocation (one per seed, fold or variant). */
  plan(input: PlanInput): Promise<PlannedRun[]>;
}

/** One run per variant and seed, on the files `files` gives for the variant. */
function perVariant(variants: AblationVariant[], seeds: number[], files: (v: AblationVariant) => Pick<PlannedRun, 'train' | 'valid' | 'types' | 'tuneSet'>): PlannedRun[] {
  return variants.flatMap((variant) => seeds.map((seed) => ({ id: `${variant.name}-seed-${seed}`, seed, variant, ...files(variant) })));
}

/** A plan of one run per variant and seed, train -> test of a dataset with a dev split; `name` names the dataset in errors. */
function variantsTrainTest(name: string): ExperimentDefinition['plan'] {
  return async ({ seeds, variants, layout, file }) =>
    perVariant(variants, seeds, (variant) => ({
      train: file(layout.train, `${name} train`),
      valid: file(layout.test, `${name} test`),
      types: file(layout.types, `${name} types`),
      // Tuned on this folder's dev split, not on whatever spert-train's --dataset would find.
      ...(variant.changes.tuneThresholds === true ? { tuneSet: file(layout.dev, `${name} dev (tuned thresholds)`) } : {}),
    }));
}

/** One run per seed on fixed files. */
function perSeed(seeds: number[], files: Pick<PlannedRun, 'train' | 'valid' | 'types'>): PlannedRun[] {
  return seeds.map((seed) => ({ id: `seed-${seed}`, seed, ...files }));
}

// SPERT_REFERENCE.md 3.3: test sets, paper Table 1, averages of 5 runs, train+dev for the final numbers.
const CONLL04_ROWS: HeadlineRow[] = [
  { label: 'entities (NER), micro F1', setting: 'ner', average: 'micro', paper: 88.94 },
  { label: 'entities (NER), macro F1', setting: 'ner', average: 'macro', paper: 86.25 },
  { label: 'relations (strict, with entity types), micro F1', setting: 'rel_nec', average: 'micro', paper: 71.47 },
  { label: 'relations (strict, with entity types), macro F1', setting: 'rel_nec', average: 'macro', paper: 72.87 },
];

/** One ablation: a name, what it changes (TrainConfig keys), and what the paper found. */
export interface AblationVariant {
  name: string;
  /** Settings that differ from the fixed configuration (empty for the default). */
  changes: Record<string, unknown>;
  /** The paper's finding for this variant, relative to the default (SPERT_REFERENCE.md 3.4). */
  paper: string;
}

/**
 * The paper's ablations (section 4), each changing one thing of the fixed configuration.
 * relationNegatives / relationContext / spanPooling are TrainConfig keys of the ablation
 * switches; a spert-train that does not know a key refuses that variant before anything trains.
 */
export const ABLATION_VARIANTS: AblationVariant[] = [
  { name: 'default', changes: {}, paper: 'reference point: strong negatives, 100/100, localized context, max pooling' },
  { name: 'weak-negatives', changes: { relationNegatives: 'weak' }, paper: 'relation precision collapses (4.3%), recall stays high (84.4%)' },
  { name: 'negatives-20', changes: { negEntityCount: 20, negRelationCount: 20 }, paper: 'about level with 100: scores stagnate from about 20 negatives on' },
  { name: 'negatives-200', changes: { negEntityCount: 200, negRelationCount: 200 }, paper: 'no gain over 100 (100 chosen for stability)' },
  { name: 'context-sentence', changes: { relationContext: 'sentence' }, paper: 'lower: many more false positive relations' },
  { name: 'context-cls', changes: { relationContext: 'cls' }, paper: 'lower: localized context beats the [CLS] vector' },
  { name: 'context-none', changes: { relationContext: 'none' }, paper: 'not in the paper (no context vector at all: our addition)' },
  { name: 'pooling-mean', changes: { spanPooling: 'mean' }, paper: 'lower: max pooling beats averaging' },
  { name: 'pooling-sum', changes: { spanPooling: 'sum' }, paper: 'lower: max pooling beats summing' },
];

/**
 * The switches beyond SpERT (issue #23), each alone and all together, against the reference
 * configuration: `paper` says where the idea comes from. Tuned thresholds are chosen on CoNLL04
 * dev (spert-train's default tuning set), never on the test set the table reports.
 */
export const BEYOND_VARIANTS: AblationVariant[] = [
  { name: 'reference', changes: {}, paper: 'SpERT as published: relation threshold 0.4, no entity types in the relation head, no constraints' },
  { name: 'entity-types', changes: { relationEntityTypes: 'embedding' }, paper: 'SpERT.PL and two-phase span models: the relation classifier reads both entity types' },
  { name: 'type-constraints', changes: { relationTypeConstraints: 'train' }, paper: 'the reference tracker (issue #44): only (head type, relation, tail type) triples seen in training; negatives among type pairs that carry relations' },
  { name: 'tuned-thresholds', changes: { tuneThresholds: true }, paper: 'relation thresholds (global and per type) chosen on dev instead of the fixed 0.4' },
  { name: 'constraints-thresholds', changes: { relationTypeConstraints: 'train', tuneThresholds: true }, paper: 'type constraints and tuned thresholds (no retraining of the encoder-side features)' },
  { name: 'all', changes: { relationEntityTypes: 'embedding', relationTypeConstraints: 'train', tuneThresholds: true }, paper: 'the three switches together' },
];

/** The experiments and the paper's numbers they are compared with. */
export const EXPERIMENTS: Record<ExperimentName, ExperimentDefinition> = {
  conll04: {
    name: 'conll04',
    dataset: 'conll04',
    defaultEncoder: 'bert-base-cased',
    headline: CONLL04_ROWS,
    paperNote: 'paper: CoNLL04 test, BERT-base cased, trained on train+dev, mean of 5 runs (SPERT_REFERENCE.md 3.3)',
    plan: async ({ seeds, final, layout, file }) =>
      perSeed(seeds, {
        train: final ? file(layout.trainDev, 'CoNLL04 train+dev (--final)') : file(layout.train, 'CoNLL04 train'),
        valid: file(layout.test, 'CoNLL04 test'),
        types: file(layout.types, 'CoNLL04 types'),
      }),
  },
  scierc: {
    name: 'scierc',
    dataset: 'scierc',
    defaultEncoder: 'allenai/scibert_scivocab_cased',
    headline: [
      { label: 'entities (NER), micro F1', setting: 'ner', average: 'micro', paper: 70.33 },
      { label: 'relations (boundaries, no entity types), micro F1', setting: 'rel', average: 'micro', paper: 50.84 },
      { label: 'relations (strict, with entity types), micro F1', setting: 'rel_nec', average: 'micro', paper: null },
    ],
    paperNote: 'paper: SciERC test, SciBERT, trained on train+dev, mean of 5 runs; its relation number ignores entity types (with BERT-base: 67.62 / 46.44)',
    // SciERC ships no train+dev file: the paper's final runs train on both, so the experiment writes it.
    plan: async ({ seeds, final, layout, file, merge }) =>
      perSeed(seeds, {
        train: final ? await merge([layout.train, layout.dev], 'scierc_train_dev.json', '--final trains on SciERC train+dev') : file(layout.train, 'SciERC train'),
        valid: file(layout.test, 'SciERC test'),
        types: file(layout.types, 'SciERC types'),
      }),
  },
  ade: {
    name: 'ade',
    dataset: 'ade',
    defaultEncoder: 'bert-base-cased',
    headline: [
      { label: 'entities (NER), macro F1', setting: 'ner', average: 'macro', paper: 89.28 },
      { label: 'relations (strict), macro F1', setting: 'rel_nec', average: 'macro', paper: 78.84 },
      { label: 'entities (NER), macro F1, overlapping entities removed', setting: 'ner', average: 'macro', noOverlapping: true, paper: 89.25 },
      { label: 'relations (strict), macro F1, overlapping entities removed', setting: 'rel_nec', average: 'macro', noOverlapping: true, paper: 79.24 },
    ],
    paperNote: 'paper: ADE, BERT-base cased, mean over the 10 folds; second pair of rows: the no_overlapping evaluation',
    finalRefused: 'its folds have no dev split (train -> test per fold)',
    folds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    scoreWithoutOverlap: true,
    plan: async ({ seeds, folds, layout, file }) =>
      folds.flatMap((fold) =>
        seeds.map((seed) => ({
          id: `fold-${fold}-seed-${seed}`,
          seed,
          fold,
          train: file(layout.folds?.[fold]?.train, `ADE fold ${fold} train`),
          valid: file(layout.folds?.[fold]?.test, `ADE fold ${fold} test`),
          types: file(layout.types, 'ADE types'),
        })),
      ),
  },
  ablations: {
    name: 'ablations',
    dataset: 'conll04',
    defaultEncoder: 'bert-base-cased',
    headline: CONLL04_ROWS,
    paperNote: 'paper (section 4, CoNLL04): directions only; SPERT_REFERENCE.md 3.4 holds no exact ablation values',
    finalRefused: 'they are evaluated on CoNLL04 dev, so dev cannot be trained on',
    variants: { table: ABLATION_VARIANTS, note: 'CoNLL04 train -> dev, relations strict (with entity types); mean ± std over seeds where more than one.' },
    plan: async ({ seeds, variants, layout, file }) =>
      perVariant(variants, seeds, () => ({ train: file(layout.train, 'CoNLL04 train'), valid: file(layout.dev, 'CoNLL04 dev'), types: file(layout.types, 'CoNLL04 types') })),
  },
  beyond: {
    name: 'beyond',
    dataset: 'conll04',
    defaultEncoder: 'bert-base-cased',
    headline: CONLL04_ROWS,
    paperNote: 'paper: CoNLL04 test with BERT-base (the reference row of the table is the recipe of this run, not the paper\'s encoder)',
    finalRefused: 'tuned thresholds are chosen on CoNLL04 dev, so dev cannot be trained on',
    variants: { table: BEYOND_VARIANTS, note: 'CoNLL04 train -> test, the same encoder and recipe in every row; relations strict (with entity types); mean ± std over seeds.', source: 'where the idea comes from', macro: true },
    plan: variantsTrainTest('CoNLL04'),
  },
};

/** The datasets `spert-experiment beyond --dataset` measures the switches on (CoNLL04 by default). */
export const BEYOND_DATASETS = ['conll04', 'scierc', 'ade'] as const;

/** A dataset of {@link BEYOND_DATASETS}. */
export type BeyondDataset = (typeof BEYOND_DATASETS)[number];

/** Whether a string names a dataset `spert-experiment beyond` runs on. */
export function isBeyondDataset(name: string): name is BeyondDataset {
  return (BEYOND_DATASETS as readonly string[]).includes(name);
}

// ADE's folds have no dev split to tune thresholds on, and tuning on the test fold would report a tuned number.
const BEYOND_WITHOUT_DEV = BEYOND_VARIANTS.filter((v) => v.changes.tuneThresholds !== true);

/**
 * The beyond experiment on SciERC (train -> test; symmetric relations come from its types file as
 * in the `scierc` experiment, and relations are reported by boundaries and strict) or on ADE fold 0
 * (train -> test; no tuned-threshold variants: the folds have no dev split).
 */
const BEYOND_ON: Record<Exclude<BeyondDataset, 'conll04'>, ExperimentDefinition> = {
  scierc: {
    ...EXPERIMENTS.beyond,
    dataset: 'scierc',
    headline: EXPERIMENTS.scierc.headline,
    paperNote: 'paper: SciERC test with SciBERT (the reference row of the table is the recipe of this run, not the paper\'s encoder)',
    finalRefused: 'tuned thresholds are chosen on SciERC dev, so dev cannot be trained on',
    variants: {
      table: BEYOND_VARIANTS,
      note: 'SciERC train -> test, the same encoder and recipe in every row; relations strict (with entity types) and by boundaries (without, the paper\'s SciERC number); mean ± std over seeds.',
      source: 'where the idea comes from',
      macro: true,
      boundaries: true,
    },
    plan: variantsTrainTest('SciERC'),
  },
  ade: {
    ...EXPERIMENTS.beyond,
    dataset: 'ade',
    headline: EXPERIMENTS.ade.headline,
    paperNote: 'paper: ADE with BERT-base, mean over the 10 folds (this table is fold 0 only, with the recipe of this run)',
    finalRefused: EXPERIMENTS.ade.finalRefused,
    variants: {
      table: BEYOND_WITHOUT_DEV,
      note: 'ADE fold 0 train -> test, the same encoder and recipe in every row; relations strict (with entity types); mean ± std over seeds. No tuned thresholds: the folds have no dev split.',
      source: 'where the idea comes from',
      macro: true,
    },
    plan: async ({ seeds, variants, layout, file }) =>
      perVariant(variants, seeds, () => ({
        train: file(layout.folds?.[0]?.train, 'ADE fold 0 train'),
        valid: file(layout.folds?.[0]?.test, 'ADE fold 0 test'),
        types: file(layout.types, 'ADE types'),
      })),
  },
};

/** An experiment's definition; `beyond` on another dataset than CoNLL04 (`--dataset`) is its own definition. */
export function experimentDefinition(name: ExperimentName, dataset?: string): ExperimentDefinition {
  if (name !== 'beyond' || dataset === undefined || !isBeyondDataset(dataset) || dataset === 'conll04') return EXPERIMENTS[name];
  return BEYOND_ON[dataset];
}

/**
 * The encoder `--scratch-reference` trains when no size flag says otherwise: reference SpERT on
 * the encoder this project compares with the reference implementation trained from scratch (BERT
 * shape, 256 hidden, 4 layers, lr 5e-4: a random encoder does not learn at the fine-tuning rate
 * 5e-5). Heads and feed-forward size follow BERT's ratios (64 per head, 4x hidden). This was
 * `--scratch` until the Beyond SpERT measurements (docs/results.md).
 */
export const SCRATCH_REFERENCE_PRESET: Partial<TrainConfig> = { hiddenSize: 256, layers: 4, heads: 4, intermediateSize: 1024, lr: 5e-4 };

/**
 * The encoder of `--scratch`: the reference size and rate in the DeBERTa-v3 shape (relative
 * attention, Unigram vocabulary), which docs/results.md measured above BERT's shape from scratch
 * at every size tried. The `beyond` experiment uses only this part: its variants are the switches.
 */
export const SCRATCH_ENCODER_PRESET: Partial<TrainConfig> = { ...SCRATCH_REFERENCE_PRESET, family: 'deberta-v2' };

/**
 * What `--scratch` trains: the measured best from scratch (docs/results.md, "Beyond SpERT"):
 * the DeBERTa-v3-shaped encoder with relation type constraints.
 */
export const SCRATCH_PRESET: Partial<TrainConfig> = { ...SCRATCH_ENCODER_PRESET, relationTypeConstraints: 'train' };
