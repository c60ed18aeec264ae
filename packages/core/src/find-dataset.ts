import * as path from 'node:path';
import type { DatasetName } from './dataset-files';
import { DATASET_NAMES, datasetFiles, isDatasetName } from './dataset-files';
import type { FileSystem } from './fs';
import { nodeFileSystem } from './fs';
import { SpertError } from './errors';

/** Where a dataset lives (or would be downloaded to) and whether it is there. */
export interface FoundDataset {
  dir: string;
  found: boolean;
  /** Directories looked at, in order. */
  candidates: string[];
}

/**
 * The directories a dataset called `name` is looked for in, in order (the last one is where a
 * download goes). Takes any string, so that an unknown name can be reported with the folders.
 */
export function datasetSearchDirs(name: string, params: { cwd?: string; env?: Record<string, string | undefined>; dataDir?: string } = {}): string[] {
  const cwd = params.cwd ?? process.cwd();
  const env = params.env ?? process.env;
  return [
    ...(env.SPERT_SHARED ? [path.resolve(cwd, env.SPERT_SHARED, 'datasets', name)] : []),
    path.resolve(cwd, '..', 'shared', 'datasets', name),
    path.resolve(cwd, params.dataDir ?? path.join('data', 'datasets'), name),
  ];
}

/** Throws when `name` is not a dataset this project knows, listing the known names and the folders searched. */
export function assertDatasetName(name: string, params: { cwd?: string; env?: Record<string, string | undefined>; dataDir?: string } = {}): asserts name is DatasetName {
  if (isDatasetName(name)) return;
  throw new SpertError('INVALID_OPTION',
    `unknown dataset "${name}": the known names are ${DATASET_NAMES.join(', ')} (looked for in ${datasetSearchDirs('<name>', params).join(', ')}); ` +
      'for other data pass --train, --valid and --types',
  );
}

/**
 * Resolves a dataset directory: `$SPERT_SHARED/datasets/<name>`, then `../shared/datasets/<name>`
 * (beside the working directory), else the user data dir `./data/datasets/<name>` (where
 * `npm run download` puts it). `found` tells whether its types file is present.
 */
export async function findDataset(params: {
  name: DatasetName;
  cwd?: string;
  env?: Record<string, string | undefined>;
  dataDir?: string;
  fs?: FileSystem;
}): Promise<FoundDataset> {
  const fs = params.fs ?? nodeFileSystem;
  assertDatasetName(params.name, params);
  const candidates = datasetSearchDirs(params.name, params);
  const userDir = candidates[candidates.length - 1];
  const typesFile = datasetFiles(params.name)[0];
  for (const dir of candidates) {
    const ok = await fs.stat(path.join(dir, typesFile)).then((s) => s.isFile(), () => false);
    if (ok) return { dir, found: true, candidates };
  }
  return { dir: userDir, found: false, candidates };
}
