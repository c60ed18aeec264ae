import * as path from 'node:path';
import type { DatasetLayout, DatasetName } from './dataset-files';
import { DATASET_NAMES, datasetFiles, datasetLayout, isDatasetName } from './dataset-files';
import { downloadDataset } from './download';
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
    userDatasetDir(name, params),
  ];
}

/** Where a dataset is downloaded to: the user data dir `./data/datasets/<name>` (or `<dataDir>/<name>`), the last of {@link datasetSearchDirs}. */
export function userDatasetDir(name: string, params: { cwd?: string; dataDir?: string } = {}): string {
  return path.resolve(params.cwd ?? process.cwd(), params.dataDir ?? path.join('data', 'datasets'), name);
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
  fs?: Pick<FileSystem, 'stat'>;
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

/** A dataset folder ready to read: where it is and its layout. */
export interface ReadyDataset {
  dir: string;
  layout: DatasetLayout;
  /** True when this call downloaded it. */
  downloaded: boolean;
}

/**
 * The one place that knows where datasets live: the folder of dataset `name` as
 * {@link findDataset} resolves it, downloaded there (the user data dir) first when it is in none of
 * the searched folders, saying so through `log`. `dir` (a folder the user named, e.g. --data) is
 * taken as it is.
 */
export async function findOrDownloadDataset(params: {
  name: DatasetName;
  dir?: string;
  log?: (line: string) => void;
  cwd?: string;
  env?: Record<string, string | undefined>;
  dataDir?: string;
  fs?: Pick<FileSystem, 'stat'>;
  /** Defaults to {@link downloadDataset}. */
  download?: (p: { name: DatasetName; outDir: string }) => Promise<unknown>;
}): Promise<ReadyDataset> {
  assertDatasetName(params.name, params);
  const layout = datasetLayout(params.name);
  if (params.dir !== undefined) return { dir: path.resolve(params.cwd ?? process.cwd(), params.dir), layout, downloaded: false };
  const found = await findDataset(params);
  if (found.found) return { dir: found.dir, layout, downloaded: false };
  params.log?.(`${params.name} not found in ${found.candidates.join(', ')}; downloading the public copy into ${found.dir}`);
  await (params.download ?? downloadDataset)({ name: params.name, outDir: found.dir });
  return { dir: found.dir, layout, downloaded: true };
}
