/** Datasets the reference distributes (and the download tool knows). */
export const DATASET_NAMES = ['conll04', 'scierc', 'ade'] as const;

/** Name of a known dataset. */
export type DatasetName = (typeof DATASET_NAMES)[number];

/** Whether a string names a known dataset. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** The files of a dataset as the reference's download script lays them out (types file first). */
export function datasetFiles(name: DatasetName): string[] {
  switch (name) {
    case 'conll04':
      return ['conll04_types.json', 'conll04_train.json', 'conll04_dev.json', 'conll04_test.json', 'conll04_train_dev.json'];
    case 'scierc':
      return ['scierc_types.json', 'scierc_train.json', 'scierc_dev.json', 'scierc_test.json'];
    case 'ade': {
      const files = ['ade_types.json'];
      for (let k = 0; k < 10; k++) files.push(`ade_split_${k}_train.json`, `ade_split_${k}_test.json`);
      return files;
    }
  }
}
