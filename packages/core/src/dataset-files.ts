/** Datasets the reference distributes (and the download tool knows). */
export const DATASET_NAMES = ['conll04', 'scierc', 'ade'] as const;

/** Name of a known dataset. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Whether a string names a known dataset. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** A dataset's files as the reference's download script lays them out, and spert-train's default pair. */
export interface DatasetLayout {
  /** The types file. */
  types: string;
  /** What spert-train trains on when no --train is given. */
  train: string;
  /** What spert-train validates on when no --valid is given (the test set, as the reference's example configs; ADE: fold 0's). */
  valid: string;
  /** The development set, when the dataset has one. */
  dev?: string;
  /** The test set, when the dataset has one split (ADE has folds instead). */
  test?: string;
  /** Train and dev in one file, when the dataset ships it. */
  trainDev?: string;
  /** Cross-validation folds, when the dataset comes in folds (ADE: 10). */
  folds?: Array<{ train: string; test: string }>;
  /** Every file, types file first. */
  files: string[];
}

const ADE_SPLITS = Array.from({ length: 10 }, (_, k) => ({ train: `ade_split_${k}_train.json`, test: `ade_split_${k}_test.json` }));

const LAYOUTS: Record<DatasetName, DatasetLayout> = {
  conll04: {
    types: 'conll04_types.json',
    train: 'conll04_train.json',
    valid: 'conll04_test.json',
    dev: 'conll04_dev.json',
    test: 'conll04_test.json',
    trainDev: 'conll04_train_dev.json',
    files: ['conll04_types.json', 'conll04_train.json', 'conll04_dev.json', 'conll04_test.json', 'conll04_train_dev.json'],
  },
  scierc: {
    types: 'scierc_types.json',
    train: 'scierc_train.json',
    valid: 'scierc_test.json',
    dev: 'scierc_dev.json',
    test: 'scierc_test.json',
    files: ['scierc_types.json', 'scierc_train.json', 'scierc_dev.json', 'scierc_test.json'],
  },
  ade: {
    types: 'ade_types.json',
    train: 'ade_split_0_train.json',
    valid: 'ade_split_0_test.json',
    folds: ADE_SPLITS,
    files: ['ade_types.json', ...ADE_SPLITS.flatMap((f) => [f.train, f.test])],
  },
};

/** The layout of a known dataset's folder (file names only). */
export function datasetLayout(name: DatasetName): DatasetLayout {
  return LAYOUTS[name];
}

/** The files of a dataset as the reference's download script lays them out (types file first). */
export function datasetFiles(name: DatasetName): string[] {
  return [...LAYOUTS[name].files];
}
