import type { TrainConfig } from '../options';

/** The experiments `spert-experiment` runs: the paper's three datasets and the CoNLL04 ablations. */
export const EXPERIMENT_NAMES = ['conll04', 'scierc', 'ade', 'ablations'] as const;

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

/** What an experiment trains on and reports. */
export interface ExperimentDefinition {
  name: ExperimentName;
  /** The dataset folder it reads (found like spert-train's --dataset). */
  dataset: 'conll04' | 'scierc' | 'ade';
  /** The paper's encoder for this dataset (a Hub id). */
  defaultEncoder: string;
  /** Rows of the headline table, in print order. */
  headline: HeadlineRow[];
  /** What the published numbers are (printed under the table). */
  paperNote: string;
}

// SPERT_REFERENCE.md 3.3: test sets, paper Table 1, averages of 5 runs, train+dev for the final numbers.
const CONLL04_ROWS: HeadlineRow[] = [
  { label: 'entities (NER), micro F1', setting: 'ner', average: 'micro', paper: 88.94 },
  { label: 'entities (NER), macro F1', setting: 'ner', average: 'macro', paper: 86.25 },
  { label: 'relations (strict, with entity types), micro F1', setting: 'rel_nec', average: 'micro', paper: 71.47 },
  { label: 'relations (strict, with entity types), macro F1', setting: 'rel_nec', average: 'macro', paper: 72.87 },
];

/** The experiments and the paper's numbers they are compared with. */
export const EXPERIMENTS: Record<ExperimentName, ExperimentDefinition> = {
  conll04: {
    name: 'conll04',
    dataset: 'conll04',
    defaultEncoder: 'bert-base-cased',
    headline: CONLL04_ROWS,
    paperNote: 'paper: CoNLL04 test, BERT-base cased, trained on train+dev, mean of 5 runs (SPERT_REFERENCE.md 3.3)',
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
  },
  ablations: {
    name: 'ablations',
    dataset: 'conll04',
    defaultEncoder: 'bert-base-cased',
    headline: CONLL04_ROWS,
    paperNote: 'paper (section 4, CoNLL04): directions only; SPERT_REFERENCE.md 3.4 holds no exact ablation values',
  },
};

/**
 * The encoder `--scratch` trains when no size flag says otherwise: the configuration this
 * project compares with the reference implementation trained from scratch (256 hidden, 4 layers,
 * lr 5e-4: a random encoder does not learn at the fine-tuning rate 5e-5). Heads and feed-forward
 * size follow BERT's ratios (64 per head, 4x hidden).
 */
export const SCRATCH_PRESET: Partial<TrainConfig> = { hiddenSize: 256, layers: 4, heads: 4, intermediateSize: 1024, lr: 5e-4 };

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
